// Writes the --junit report in the JUnit XML dialect CI systems read (Jenkins, GitLab,
// GitHub test reporters): one <testcase> per selected script (or, for a file that reported its
// own tests, one per test plus one for the file when it failed outside them), rendered by
// junit-case.ts (names, failures, flaky retries, escape-free text). Cases are rendered as
// results arrive into a scratch file (the counts in the header are known only at the end), then header, cases and
// footer go through ReportFile: a reader never sees half a report.
import type { ScriptResult } from '../../script/types.ts';
import { ScratchFile, type ReportFile } from './report-file.ts';
import {
  caseKind,
  failedOutsideTests,
  renderNotStartedCase,
  renderTestcase,
  renderTestOfFile,
  seconds,
  testKind,
  xml,
  type CaseKind,
} from './junit-case.ts';
import { junitNames } from './script-names.ts';
import type { RunOutcome } from './run-report.ts';

export class JunitReportWriter {
  readonly #report: ReportFile;
  readonly #startTime: string;
  readonly #cases = new ScratchFile();
  readonly #counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };

  constructor(report: ReportFile, startTime: string) {
    this.#report = report;
    this.#startTime = startTime;
  }

  /** A file that reported its tests gives one case per test, and one for itself only when it failed outside them. */
  add(result: ScriptResult): void {
    if (result.testCases) {
      const file = junitNames(result.script).file;
      for (const test of result.testCases) {
        this.#count(testKind(test));
        this.#cases.write(`${renderTestOfFile(test, file)}\n`);
      }
      if (!failedOutsideTests(result)) return;
    }
    this.#count(caseKind(result));
    this.#cases.write(`${renderTestcase(result)}\n`);
  }

  #count(kind: CaseKind): void {
    this.#counts.tests += 1;
    if (kind === 'failure') this.#counts.failures += 1;
    if (kind === 'error') this.#counts.errors += 1;
    if (kind === 'skipped') this.#counts.skipped += 1;
  }

  finish(outcome: RunOutcome): Promise<void> {
    try {
      for (const s of outcome.notStarted) {
        this.#count('skipped');
        this.#cases.write(`${renderNotStartedCase(s.script)}\n`);
      }
      const { failures, errors, skipped } = this.#counts;
      const time = seconds(outcome.counts.durationMs);
      const counts = `tests="${this.#counts.tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}"`;
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
