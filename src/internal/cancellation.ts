// The one wording of a cancellation, used by every subsystem (script, function, parallel,
// task, scheduler, distributed): "cancelled" alone, or "cancelled: <reason>"; and of a
// timeout, "timed out after N ms" (timedOutAfter). Reasons are
// created bare ("runner.cancel() was called") and worded only here, so a fail-fast reads
// the same in the script runner and in the task group.

/** Abort of a task, job or run by fail-fast, cancel(), close() or a parent scope. */
export class AbortError extends Error {
  override name = 'AbortError';
}

/** Abort of a job whose timeoutMs expired: the message is "timed out after N ms". */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** The one wording of a timeout, for scripts, functions and scheduler jobs alike. */
export function timedOutAfter(timeoutMs: number): string {
  return `timed out after ${timeoutMs} ms`;
}

/** Node's and the DOM's message for an abort that was given no reason. */
const NO_REASON = 'This operation was aborted';
const PREFIX = /^cancelled(?::\s*|$)/;

/** The reason's bare text: '' when it says nothing beyond "aborted". */
export function bareCancelReason(reason: unknown): string {
  let text: string;
  if (reason === undefined || reason === null) return '';
  if (typeof reason === 'string') text = reason;
  else if (typeof reason === 'object') {
    const { message } = reason as { message?: unknown };
    text = typeof message === 'string' ? message : Object.prototype.toString.call(reason);
  } else {
    const primitive = reason as number | boolean | bigint | symbol;
    text = String(primitive);
  }
  if (text === NO_REASON) return '';
  // A reason already worded as a cancellation is not prefixed twice.
  return text.replace(PREFIX, '').trim();
}

/** "cancelled" or "cancelled: <reason>", whatever the signal was aborted with. */
export function describeCancellation(reason: unknown): string {
  const text = bareCancelReason(reason);
  return text === '' ? 'cancelled' : `cancelled: ${text}`;
}

/** The same for an AbortSignal (its reason), or 'cancelled' without one. */
export function describeAbortedSignal(signal: AbortSignal | null | undefined): string {
  return describeCancellation(signal?.reason);
}

/**
 * The reason a fail-fast aborts its siblings with, worded the same for a script runner and
 * a task group: "fail-fast after 'x' failed". `cause` is the failure (as in TaskGroup).
 */
export function createFailFastReason(name: string, outcome: string, cause?: unknown): AbortError {
  const what = outcome === 'timeout' ? 'timed out' : outcome;
  return new AbortError(`fail-fast after '${name}' ${what}`, cause === undefined ? undefined : { cause });
}
