// Writes the --json report: the counters (as ExecutionResult.toJSON()) plus `flaky` (passed
// only on a retry), whether the run was interrupted or halted by a stopping rule, and every
// started script's full ScriptResult with `flaky` set. The body is built by the pure
// jsonReportBody(); written atomically (temp file then rename) so a reader never sees half.
import { writeReportFile } from './report-file.ts';
import { isFlaky, notStarted, type RunReport } from './run-report.ts';

export function jsonReportBody(report: RunReport): Record<string, unknown> {
  const results = report.results.map((r) => ({ ...r, flaky: isFlaky(r) }));
  return {
    ...report.counts,
    flaky: results.filter((r) => r.flaky).length,
    interrupted: report.interrupted,
    halted: report.halted ?? null,
    startTime: report.startTime,
    results,
    notStarted: notStarted(report).map((s) => s.script),
  };
}

export function writeJsonReport(file: string, report: RunReport): void {
  writeReportFile(file, `${JSON.stringify(jsonReportBody(report), null, 2)}\n`); // 0644, atomic, never through a symbolic link
}
