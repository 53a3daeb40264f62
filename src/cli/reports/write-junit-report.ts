// Writes the --junit report in the JUnit XML dialect CI systems read (Jenkins, GitLab,
// GitHub test reporters): one <testcase> per selected script, its content rendered by
// junit-case.ts (names, failures, flaky retries, escape-free text). Cases are rendered as
// results arrive into a scratch file (the counts in the header are known only at the end), then header, cases and
// footer go through ReportFile: a reader never sees half a report.
import type { ScriptResult } from '../../script/types.ts';
import { ScratchFile, type ReportFile } from './report-file.ts';
import { caseKind, renderNotStartedCase, renderTestcase, seconds, xml } from './junit-case.ts';
import type { RunOutcome } from './run-report.ts';

export class JunitReportWriter {
  readonly #report: ReportFile;
  readonly #startTime: string;
  readonly #cases = new ScratchFile();
  readonly #counts = { failures: 0, errors: 0, skipped: 0 };

  constructor(report: ReportFile, startTime: string) {
    this.#report = report;
    this.#startTime = startTime;
  }

  add(result: ScriptResult): void {
    const kind = caseKind(result);
    if (kind === 'failure') this.#counts.failures += 1;
    if (kind === 'error') this.#counts.errors += 1;
    if (kind === 'skipped') this.#counts.skipped += 1;
    this.#cases.write(`${renderTestcase(result)}\n`);
  }

  finish(outcome: RunOutcome): Promise<void> {
    try {
      for (const s of outcome.notStarted) {
        this.#counts.skipped += 1;
        this.#cases.write(`${renderNotStartedCase(s.script)}\n`);
      }
      const { failures, errors, skipped } = this.#counts;
      const time = seconds(outcome.counts.durationMs);
      const counts = `tests="${outcome.counts.total}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}"`;
      this.#report.write(
        `<?xml version="1.0" encoding="UTF-8"?>\n` +
          `<testsuites name="ergate" ${counts}>\n` +
          `  <testsuite name="ergate run" ${counts} timestamp="${xml(this.#startTime)}">\n`,
      );
      this.#cases.copyTo((chunk) => this.#report.write(chunk));
      this.#report.write(`  </testsuite>\n</testsuites>\n`);
    } finally {
      this.#cases.close();
    }
    return this.#report.commit();
  }
}
