// Owns how the CLI words a file's own tests (results with `testCases`, from pytest mode or
// $ERGATE_JUNIT_XML): one line per failing or erroring test, `FAIL id  message` (the first
// line of the message, capped), and the run's test counts. Shared by the live lines and the
// end-of-run summary, so a test reads the same in both.
import type { ScriptResult, TestCounts } from '../../script/types.ts';
import type { Palette } from '../console/colors.ts';

const MESSAGE_CHARS = 200;

/** `FAIL id  message` for each failed or errored test, at most `limit` (then "... N more"). */
export function failingTestLines(result: Pick<ScriptResult, 'testCases'>, paint: Palette, limit = 20): string[] {
  const failing = (result.testCases ?? []).filter((t) => t.status === 'failed' || t.status === 'error');
  const lines = failing.slice(0, limit).map((t) => {
    const label = t.status === 'failed' ? paint.red('FAIL ') : paint.red('ERROR');
    const first = (t.message ?? '').split('\n')[0].trim();
    const message = first.length > MESSAGE_CHARS ? `${first.slice(0, MESSAGE_CHARS)}…` : first;
    return `${label} ${t.id}${message ? `  ${paint.dim(message)}` : ''}`;
  });
  if (failing.length > limit) lines.push(paint.dim(`... ${failing.length - limit} more failing tests`));
  return lines;
}

/** A run's tests so far; null until some result carried test counts. */
export class TestTally {
  #counts: TestCounts | null = null;

  add(result: Pick<ScriptResult, 'tests'>): void {
    if (!result.tests) return;
    const c = (this.#counts ??= { passed: 0, failed: 0, errors: 0, skipped: 0, xfailed: 0, xpassed: 0 });
    for (const key of Object.keys(c) as Array<keyof TestCounts>) c[key] += result.tests[key];
  }

  get counts(): TestCounts | null {
    return this.#counts;
  }
}

/** "12 tests: 7 passed, 1 failed, 1 error, 1 skipped, 1 xfailed, 1 xpassed" (zero counts left out but passed). */
export function formatTestCounts(c: TestCounts, paint: Palette): string {
  const total = c.passed + c.failed + c.errors + c.skipped + c.xfailed + c.xpassed;
  const parts = [paint.green(`${c.passed} passed`)];
  if (c.failed) parts.push(paint.red(`${c.failed} failed`));
  if (c.errors) parts.push(paint.red(`${c.errors} error${c.errors === 1 ? '' : 's'}`));
  if (c.skipped) parts.push(paint.dim(`${c.skipped} skipped`));
  if (c.xfailed) parts.push(paint.dim(`${c.xfailed} xfailed`));
  if (c.xpassed) parts.push(paint.yellow(`${c.xpassed} xpassed`));
  return `${total} test${total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
