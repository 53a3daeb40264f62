// Owns the end-of-run summary printed to stdout: the counts, the slowest scripts, and the
// stderr tail of each script that did not pass, so the reason for a red run is on screen.
import type { Palette } from './colors.ts';
import { formatDuration } from './parse-duration.ts';
import { reasonOf, tail, type RunReport } from './run-report.ts';

const SLOWEST = 5;

export function formatSummary(report: RunReport, paint: Palette, quiet: boolean): string {
  const out: string[] = [];
  const failures = report.results.filter((r) => r.status === 'failed' || r.status === 'timeout' || r.status === 'error');
  for (const result of failures) {
    out.push('', paint.red(paint.bold(`--- ${result.status.toUpperCase()}: ${result.script}`)), `    ${reasonOf(result)}`);
    const stderr = tail(result.stderr);
    if (stderr) out.push(...stderr.split('\n').map((line) => `    ${paint.dim(line)}`));
  }
  if (!quiet && report.results.length > 1) {
    const slowest = [...report.results].sort((a, b) => b.durationMs - a.durationMs).slice(0, SLOWEST);
    out.push('', paint.bold('Slowest:'));
    for (const r of slowest) out.push(`  ${formatDuration(r.durationMs).padStart(9)}  ${r.name}`);
  }
  const c = report.counts;
  const parts = [
    paint.green(`${c.passed} passed`),
    (c.failed ? paint.red : paint.dim)(`${c.failed} failed`),
    (c.timeout ? paint.yellow : paint.dim)(`${c.timeout} timed out`),
    paint.dim(`${c.skipped} skipped`),
  ];
  out.push('');
  if (report.interrupted) out.push(paint.yellow('Interrupted: running scripts were killed, the rest skipped.'));
  out.push(`${c.total} scripts: ${parts.join(', ')} in ${formatDuration(c.durationMs)}`);
  return out.join('\n');
}
