// Owns the content of one JUnit <testcase> (pure functions; the report writer only frames and
// writes them). Names per script-names.ts; failed and timed-out scripts are <failure>, scripts
// that could not run <error>, cancelled or never-started ones <skipped>; a script that passed
// only on a retry carries one <flakyFailure> per failed attempt and a script that failed every
// attempt one <rerunFailure> per earlier attempt (Maven Surefire's convention). All text is
// free of terminal escape sequences and of characters XML 1.0 forbids.
import type { AttemptRecord, ScriptResult, TestCase } from '../../script/types.ts';
import { reasonOf, tail } from './run-report.ts';
import { junitNames } from './script-names.ts';
import { readableBytes } from '../../internal/byte-names.ts';
import { stripTerminalEscapes } from './strip-escapes.ts';

export type CaseKind = 'pass' | 'failure' | 'error' | 'skipped';

export function caseKind(result: Pick<ScriptResult, 'status'>): CaseKind {
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

export function renderTestcase(result: ScriptResult, cwd = process.cwd()): string {
  const kind = caseKind(result);
  const inner: string[] = [];
  if (kind === 'failure' || kind === 'error') {
    inner.push(
      `      <${kind} message="${xml(reasonOf(result))}" type="${result.status}">${xml(tail(result.stderr))}</${kind}>`,
    );
  } else if (kind === 'skipped') {
    inner.push(`      <skipped message="${xml(reasonOf(result))}"/>`);
  }
  const earlier = kind === 'pass' ? 'flakyFailure' : 'rerunFailure';
  for (const attempt of result.failedAttempts ?? []) inner.push(renderAttempt(earlier, attempt));
  if (result.stdout) inner.push(`      <system-out>${xml(tail(result.stdout, 50))}</system-out>`);
  const stderr = withLeftovers(result);
  if (stderr) inner.push(`      <system-err>${xml(stderr)}</system-err>`);
  return [open(result.script, result.durationMs, cwd), ...inner, '    </testcase>'].join('\n');
}

/** The stderr tail, then one line per process the script left running (killed by ergate). */
function withLeftovers(result: ScriptResult): string {
  const text = result.stderr ? tail(result.stderr, 50) : '';
  if (!result.leftovers?.length) return text;
  const lines = result.leftovers.map((left) => `ergate: left pid ${left.pid} \`${left.command}\` behind (killed)`);
  return [text.replace(/\n$/, ''), ...lines].filter(Boolean).join('\n');
}

/** The kind of one test of a file (pytest mode, $ERGATE_JUNIT_XML): xfailed reads as skipped, xpassed as a pass. */
export function testKind(test: Pick<TestCase, 'status'>): CaseKind {
  if (test.status === 'failed') return 'failure';
  if (test.status === 'error') return 'error';
  return test.status === 'skipped' || test.status === 'xfailed' ? 'skipped' : 'pass';
}

/** One test of a file, with the classname and name its harness (pytest) gave it. */
export function renderTestOfFile(test: TestCase, file: string): string {
  const kind = testKind(test);
  const message = xml(test.message ?? test.status);
  const inner =
    kind === 'pass'
      ? ''
      : kind === 'skipped'
        ? `\n      <skipped message="${message}" type="${test.status}"/>`
        : `\n      <${kind} message="${message}" type="${test.status}"/>`;
  const open = `    <testcase name="${xml(test.name)}" classname="${xml(test.classname)}" file="${xml(file)}" time="${seconds(test.durationMs)}"`;
  return kind === 'pass' ? `${open}/>` : `${open}>${inner}\n    </testcase>`;
}

/** Whether a file that reported tests failed outside every one of them (no tests collected, crash, limit). */
export function failedOutsideTests(result: Pick<ScriptResult, 'status' | 'testCases'>): boolean {
  if (result.status === 'passed' || result.status === 'cancelled') return false;
  return !(result.testCases ?? []).some((t) => t.status === 'failed' || t.status === 'error');
}

/** A selected script that never started (halted or interrupted run). */
export function renderNotStartedCase(script: string, cwd = process.cwd()): string {
  return `${open(script, 0, cwd)}\n      <skipped message="not started"/>\n    </testcase>`;
}

function open(script: string, durationMs: number, cwd: string): string {
  const names = junitNames(script, cwd);
  return `    <testcase name="${xml(names.name)}" classname="${xml(names.classname)}" file="${xml(names.file)}" time="${seconds(durationMs)}">`;
}

function renderAttempt(tag: 'flakyFailure' | 'rerunFailure', attempt: AttemptRecord): string {
  const parts = [`      <${tag} message="${xml(reasonOf(attempt))}" type="${attempt.status}">`];
  if (attempt.stderr) parts.push(`        <stackTrace>${xml(tail(attempt.stderr))}</stackTrace>`);
  if (attempt.stdout) parts.push(`        <system-out>${xml(tail(attempt.stdout, 50))}</system-out>`);
  if (attempt.stderr) parts.push(`        <system-err>${xml(tail(attempt.stderr, 50))}</system-err>`);
  parts.push(`      </${tag}>`);
  return parts.join('\n');
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/**
 * Escapes for attributes and text; a file name's undecodable byte reads `\xNN`; drops escape
 * sequences, C1 controls and what XML 1.0 forbids.
 */
export function xml(text: string): string {
  return stripTerminalEscapes(readableBytes(text))
    .replace(/[^\t\n\r\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
