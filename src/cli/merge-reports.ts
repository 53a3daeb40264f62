// Owns `ergate merge-reports A.json B.json ... [--json F] [--junit F] [--html F]`: one report from the
// JSON reports of a run's shards, as if it had been one run. Every script appears once (a
// script in two reports keeps the later report's result, with a warning), the counts are
// recounted from the results, the duration is the longest shard's (shards run side by side),
// and the exit code is the one run's: 0 when nothing failed or timed out, else 1.
import type { ScriptResult } from '../script/types.ts';
import { createPalette, wantsColor } from './console/colors.ts';
import { parseFlags } from './settings/parse-flags.ts';
import { formatSummary } from './console/print-summary.ts';
import { readJsonReport } from './reports/read-json-report.ts';
import { checkReportTargets, isStdout } from './reports/report-target.ts';
import { RunReports } from './reports/run-reports.ts';
import { RunSummary } from './reports/run-report.ts';
import { displayName, plural } from './reports/script-names.ts';
import { UsageError } from './settings/usage.ts';

const OPTIONS = {
  json: { type: 'string' },
  junit: { type: 'string' },
  html: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export const MERGE_USAGE =
  'merge-reports: expected JSON reports, e.g. ergate merge-reports shard-*.json --junit all.xml';

/** Runs the command; returns its exit code. @throws UsageError for a bad flag or report */
export async function runMergeReports(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, OPTIONS, true);
  if (positionals.length === 0) throw new UsageError(MERGE_USAGE);
  const targets = checkReportTargets(values);
  const warn = (message: string): void => void process.stderr.write(`ergate: ${message}\n`);
  const reports = positionals.map((file) => ({ file, report: readJsonReport(file, 'merge-reports') }));

  const results = new Map<string, { result: ScriptResult; file: string }>();
  for (const { file, report } of reports) {
    for (const result of report.results) {
      const earlier = results.get(result.script);
      if (earlier) warn(`${displayName(result.script)} is in ${earlier.file} and ${file}: kept ${file}'s result`);
      results.set(result.script, { result, file });
    }
  }
  const notStarted = [...new Set(reports.flatMap(({ report }) => report.notStarted))].filter((s) => !results.has(s));
  const scripts = [...results.keys(), ...notStarted];
  const startTime = reports.map(({ report }) => report.startTime).sort()[0];

  const out = new RunReports(targets, startTime, warn);
  const summary = new RunSummary();
  for (const { result } of results.values()) {
    out.add(result);
    summary.add(result);
  }
  for (let i = results.size; i < scripts.length; i++) summary.skipped(i);
  const durationMs = Math.max(...reports.map(({ report }) => report.durationMs));
  const interrupted = reports.some(({ report }) => report.interrupted);
  const halted = reports.find(({ report }) => report.halted !== null)?.report.halted ?? null;
  const outcome = summary.outcome(scripts, durationMs, interrupted, halted);
  const written = await out.finish(outcome);
  const human = isStdout(values.json) || isStdout(values.junit) ? process.stderr : process.stdout;
  const paint = createPalette(wantsColor(human));
  const merged = `Merged ${plural(reports.length, 'report')}.`;
  human.write(`${formatSummary(summary.report(outcome), paint, values.quiet ?? false)}\n${merged}\n`);
  return outcome.counts.success && !interrupted && written ? 0 : 1;
}
