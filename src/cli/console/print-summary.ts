// Owns the end-of-run summary printed to stdout: for each script that did not pass, its
// reason and the tails of its stdout and stderr; the flaky scripts (passed on a retry); the
// slowest scripts; and the counts. Scripts are named by their path relative to the working
// directory, so two scripts of the same name in different folders never read alike.
import type { ScriptResult } from '../../script/types.ts';
import type { Palette } from './colors.ts';
import { stripTerminalEscapes } from '../reports/strip-escapes.ts';
import { formatDuration } from '../settings/parse-duration.ts';
import { reasonOf, SLOWEST, tail, type RunReport } from '../reports/run-report.ts';
import { displayName, plural } from '../reports/script-names.ts';
import { failingTestLines, formatTestCounts } from '../reports/test-lines.ts';

/** @param slowest how many of the slowest scripts to list (--durations N; 0: none) */
export function formatSummary(report: RunReport, paint: Palette, quiet: boolean, slowest = SLOWEST): string {
  const out: string[] = [];
  const failures = report.results.filter(
    (r) => r.status === 'failed' || r.status === 'timeout' || r.status === 'error',
  );
  for (const result of failures) {
    out.push(
      '',
      paint.red(paint.bold(`--- ${result.status.toUpperCase()}: ${displayName(result.script)}`)),
      `    ${reasonOf(result)}`,
      ...failingTestLines(result, paint).map((line) => `    ${line}`),
    );
    out.push(...streamTail('stdout', result.stdout, paint), ...streamTail('stderr', result.stderr, paint));
  }
  const flaky = report.flaky;
  if (flaky.length > 0) {
    out.push('', paint.yellow(paint.bold('Flaky (passed only on a retry):')));
    for (const r of flaky) out.push(`  ${displayName(r.script)}  ${paint.dim(flakyNote(r))}`);
  }
  if (!quiet && slowest > 0 && report.results.length > 1) {
    const listed = [...report.results].sort((a, b) => b.durationMs - a.durationMs).slice(0, slowest);
    out.push('', paint.bold('Slowest:'));
    for (const r of listed) out.push(`  ${formatDuration(r.durationMs).padStart(9)}  ${displayName(r.script)}`);
  }
  const c = report.counts;
  const parts = [
    paint.green(`${c.passed} passed`) + (flaky.length > 0 ? paint.yellow(` (${flaky.length} flaky)`) : ''),
    (c.failed ? paint.red : paint.dim)(`${c.failed} failed`),
    (c.timeout ? paint.yellow : paint.dim)(`${c.timeout} timed out`),
    paint.dim(`${c.skipped} skipped`),
  ];
  out.push('');
  if (report.interrupted) out.push(paint.yellow('Interrupted: running scripts were killed, the rest skipped.'));
  else if (report.halted) out.push(paint.yellow(`Stopped early: ${report.halted}.`));
  if (report.tests) out.push(formatTestCounts(report.tests, paint));
  out.push(
    `${plural(c.total, report.tests ? 'file' : 'script')}: ${parts.join(', ')} in ${formatDuration(c.durationMs)}`,
  );
  return out.join('\n');
}

function streamTail(name: string, text: string, paint: Palette): string[] {
  // A script's own colour codes would leave "[31m" in CI logs and fight the summary's colours.
  const last = stripTerminalEscapes(tail(text));
  if (last === '') return [];
  return [`    ${name}:`, ...last.split('\n').map((line) => `    | ${paint.dim(line)}`)];
}

function flakyNote(result: ScriptResult): string {
  const first = result.failedAttempts?.[0];
  const why = first ? `, first: ${reasonOf(first)}` : '';
  return `passed on attempt ${result.attempts}${why}`;
}
