// Writes the --json report: the counters (as ExecutionResult.toJSON()), whether the run was
// interrupted, and every started script's full ScriptResult. Written atomically (temp file
// then rename) so a reader never sees half a report.
import { writeReportFile } from './report-file.ts';
import { notStarted, type RunReport } from './run-report.ts';

export function writeJsonReport(file: string, report: RunReport): void {
  const body = {
    ...report.counts,
    interrupted: report.interrupted,
    startTime: report.startTime,
    results: report.results,
    notStarted: notStarted(report).map((s) => s.script),
  };
  writeReportFile(file, `${JSON.stringify(body, null, 2)}\n`); // 0644, atomic, never through a symbolic link
}
