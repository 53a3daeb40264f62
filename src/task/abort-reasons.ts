// The reasons ergate aborts a scope with. Each is an Error named 'AbortError' (or
// 'TimeoutError') so `signal.reason` reads plainly, and a fail-fast abort carries the
// sibling's failure as its `cause`, as in Python's TaskGroup.

/** Abort of a task or job by fail-fast, cancel(), close() or a parent scope. */
export class AbortError extends Error {
  override name = 'AbortError';
}

/** Abort of a job whose timeoutMs expired: the message is "timed out after N ms". */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

export function createFailFastReason(taskName: string, failure: unknown): AbortError {
  return new AbortError(`cancelled because task '${taskName}' failed (fail-fast)`, { cause: failure });
}

/** Plain message for a cancelled result, from whatever the signal was aborted with. */
export function describeAbortReason(reason: unknown): string {
  if (reason instanceof AbortError || reason instanceof TimeoutError) return reason.message;
  if (reason instanceof Error) return `cancelled (${reason.message || reason.name})`;
  if (reason === undefined) return 'cancelled';
  return `cancelled (${String(reason)})`;
}
