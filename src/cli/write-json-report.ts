// Writes the --json report: the counters (as ExecutionResult.toJSON()), whether the run was
// interrupted, and every started script's full ScriptResult. Written atomically (temp file
// then rename) so a reader never sees half a report.
import { renameSync, writeFileSync } from 'node:fs';
import { notStarted, type RunReport } from './run-report.ts';

export function writeJsonReport(file: string, report: RunReport): void {
  const body = {
    ...report.counts,
    interrupted: report.interrupted,
    startTime: report.startTime,
    results: report.results,
    notStarted: notStarted(report).map((s) => s.script),
  };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`);
  renameSync(tmp, file);
}
