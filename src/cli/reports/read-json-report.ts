// Owns reading a --json report back (`ergate report`, `ergate merge-reports`): parsed and
// checked once here (valibot: startTime, results with script, status and durationMs), so a
// foreign or truncated file is a UsageError naming the file and the field, never a crash later.
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { UsageError } from '../settings/usage.ts';
import type { JsonReport } from './write-json-report.ts';

const reportSchema = v.looseObject({
  startTime: v.string(),
  results: v.array(
    v.looseObject({
      script: v.string(),
      status: v.picklist(['passed', 'failed', 'timeout', 'error', 'cancelled']),
      durationMs: v.number(),
    }),
  ),
  notStarted: v.optional(v.array(v.string()), []),
  durationMs: v.optional(v.number(), 0),
  interrupted: v.optional(v.boolean(), false),
  halted: v.optional(v.nullable(v.string()), null),
});

/** The report in FILE; `command` prefixes the error ("merge-reports: a.json is not ..."). */
export function readJsonReport(file: string, command: string): JsonReport {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`${command}: cannot read ${file}: ${why.split('\n')[0]}`);
  }
  const parsed = v.safeParse(reportSchema, raw);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = v.getDotPath(issue) ?? 'top level';
    throw new UsageError(`${command}: ${file} is not an ergate JSON report (${where}: ${issue.message})`);
  }
  const report = parsed.output;
  const total = report.results.length + report.notStarted.length;
  return { total, ...report } as unknown as JsonReport;
}
