// Writes the --junit report in the JUnit XML dialect CI systems read (Jenkins, GitLab,
// GitHub test reporters): one <testsuite> with one <testcase> per selected script, rendered
// by junit-case.ts. Written atomically (temp file then rename).
import { writeReportFile } from './report-file.ts';
import { caseKind, renderNotStartedCase, renderTestcase, seconds, xml } from './junit-case.ts';
import { notStarted, type RunReport } from './run-report.ts';

export function writeJunitReport(file: string, report: RunReport): void {
  const cases: string[] = [];
  const counts = { failure: 0, error: 0, skipped: 0, pass: 0 };
  for (const result of report.results) {
    counts[caseKind(result)] += 1;
    cases.push(renderTestcase(result));
  }
  for (const s of notStarted(report)) {
    counts.skipped += 1;
    cases.push(renderNotStartedCase(s.script));
  }
  const tests = report.scripts.length;
  const time = seconds(report.counts.durationMs);
  const attrs = `tests="${tests}" failures="${counts.failure}" errors="${counts.error}" skipped="${counts.skipped}" time="${time}"`;
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="ergate" ${attrs}>\n` +
    `  <testsuite name="ergate run" ${attrs} timestamp="${xml(report.startTime)}">\n` +
    `${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
  writeReportFile(file, body); // 0644, atomic, never through a symbolic link
}
