// Writes the --junit report in the JUnit XML dialect CI systems read (Jenkins, GitLab,
// GitHub test reporters): one <testcase> per selected script; failed and timed-out scripts
// are <failure>, scripts that could not run are <error>, cancelled or never-started ones
// <skipped>; failures carry the stderr tail. Cases are rendered as results arrive into a
// scratch file (the counts in the header are known only at the end), then header, cases and
// footer go through ReportFile: a reader never sees half a report.
import type { ScriptResult } from '../script/types.ts';
import { ScratchFile, type ReportFile } from './report-file.ts';
import { reasonOf, tail, type RunOutcome } from './run-report.ts';

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
    this.#cases.write(`${renderCase(result, kind)}\n`);
  }

  finish(outcome: RunOutcome): Promise<void> {
    try {
      for (const s of outcome.notStarted) {
        this.#counts.skipped += 1;
        this.#cases.write(
          `    <testcase name="${xml(s.name)}" classname="${xml(s.subdirectory)}" file="${xml(s.script)}" time="0">\n` +
            `      <skipped message="not started"/>\n    </testcase>\n`,
        );
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

type CaseKind = 'pass' | 'failure' | 'error' | 'skipped';

function caseKind(result: ScriptResult): CaseKind {
  switch (result.status) {
    case 'passed':
      return 'pass';
    case 'failed':
    case 'timeout':
      return 'failure';
    case 'error':
      return 'error';
    case 'cancelled':
      return 'skipped';
  }
}

function renderCase(result: ScriptResult, kind: CaseKind): string {
  const open = `    <testcase name="${xml(result.name)}" classname="${xml(result.subdirectory)}" file="${xml(result.script)}" time="${seconds(result.durationMs)}">`;
  const inner: string[] = [];
  if (kind === 'failure' || kind === 'error') {
    inner.push(`      <${kind} message="${xml(reasonOf(result))}" type="${result.status}">${xml(tail(result.stderr))}</${kind}>`);
  } else if (kind === 'skipped') {
    inner.push(`      <skipped message="${xml(reasonOf(result))}"/>`);
  }
  if (result.stdout) inner.push(`      <system-out>${xml(tail(result.stdout, 50))}</system-out>`);
  if (result.stderr) inner.push(`      <system-err>${xml(tail(result.stderr, 50))}</system-err>`);
  return [open, ...inner, '    </testcase>'].join('\n');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Escapes for attributes and text, and drops characters XML 1.0 forbids (e.g. ANSI ESC). */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
