// Links a runner or scheduler to the scopes above it: the signal passed in options and
// the scope of the task it was started in. One listener per parent per run, removed by
// the returned function, so listener counts on a long-lived parent stay flat however
// many tasks run under it (tasks themselves never listen on the parent).

import { currentSignal } from './scope.ts';

/**
 * Calls onAbort(reason) once, when the first of the parents aborts (at once if one
 * already has). Returns the unlink function; calling it more than once is harmless.
 */
export function linkToParents(
  explicit: AbortSignal | undefined,
  onAbort: (reason: unknown) => void,
  inherited: AbortSignal | undefined = currentSignal(),
): () => void {
  const parents: AbortSignal[] = [];
  if (explicit !== undefined) parents.push(explicit);
  if (inherited !== undefined && inherited !== explicit) parents.push(inherited);
  if (parents.length === 0) return noop;

  for (const parent of parents) {
    if (parent.aborted) {
      onAbort(parent.reason);
      return noop;
    }
  }
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
