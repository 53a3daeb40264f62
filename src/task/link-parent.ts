// Links a runner or scheduler to the scopes above it: the signal passed in options, the
// scope it was constructed in and the scope of the task it was started in. One listener
// per parent per run, removed by the returned function, so listener counts on a
// long-lived parent stay flat however many tasks run under it (tasks never listen on it).

/**
 * Calls onAbort(reason) once, when the first of the parents aborts (at once if one
 * already has). Undefined and repeated parents are ignored. Returns the unlink function;
 * calling it more than once is harmless.
 */
export function linkToParents(
  candidates: readonly (AbortSignal | undefined)[],
  onAbort: (reason: unknown) => void,
): () => void {
  const parents: AbortSignal[] = [];
  for (const parent of candidates) {
    if (parent === undefined || parents.includes(parent)) continue;
    if (parent.aborted) {
      onAbort(parent.reason);
      return noop;
    }
    parents.push(parent);
  }
  if (parents.length === 0) return noop;
  let linked = true;
  const handle = (event: Event): void => {
    unlink();
    onAbort((event.target as AbortSignal).reason);
  };
  const unlink = (): void => {
    if (!linked) return;
    linked = false;
    for (const parent of parents) parent.removeEventListener('abort', handle);
  };
  for (const parent of parents) parent.addEventListener('abort', handle);
  return unlink;
}

function noop(): void {}
