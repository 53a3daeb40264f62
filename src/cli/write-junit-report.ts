// Writes the --junit report in the JUnit XML dialect CI systems read (Jenkins, GitLab,
// GitHub test reporters): one <testcase> per selected script; failed and timed-out scripts
// are <failure>, scripts that could not run are <error>, cancelled or never-started ones
// <skipped>; failures carry the stderr tail. Written atomically (temp file then rename).
import { writeReportFile } from './report-file.ts';
import type { ScriptResult } from '../script/types.ts';
import { notStarted, reasonOf, tail, type RunReport } from './run-report.ts';

export function writeJunitReport(file: string, report: RunReport): void {
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const result of report.results) {
    const kind = caseKind(result);
    if (kind === 'failure') failures += 1;
    if (kind === 'error') errors += 1;
    if (kind === 'skipped') skipped += 1;
    cases.push(renderCase(result, kind));
  }
  for (const s of notStarted(report)) {
    skipped += 1;
    cases.push(
      `    <testcase name="${xml(s.name)}" classname="${xml(s.subdirectory)}" file="${xml(s.script)}" time="0">\n` +
        `      <skipped message="not started"/>\n    </testcase>`,
    );
  }
  const tests = report.scripts.length;
  const time = seconds(report.counts.durationMs);
  const counts = `tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}"`;
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="ergate" ${counts}>\n` +
    `  <testsuite name="ergate run" ${counts} timestamp="${xml(report.startTime)}">\n` +
    `${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
  writeReportFile(file, body); // 0644, atomic, never through a symbolic link
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
