// The AbortController tree behind structured cancellation: one Scope per task or job run.
// The storage that tells code which scope it runs in is ../internal/current-scope.ts
// (re-exported here). Invariant: once a scope is aborted its signal (created now or later) is aborted with
// the first reason; a scope never un-aborts.

import { currentSignal, runInScope } from '../internal/current-scope.ts';

export { currentSignal, runInScope };

/**
 * One task's or job's place in the tree. The AbortController is created lazily, the
 * first time somebody asks for the signal: most tasks never look at it, and a
 * controller per no-op task would cost more than running the task itself.
 */
export class Scope {
  #controller: AbortController | undefined;
  aborted = false;
  reason: unknown = undefined;

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  /** First reason wins; later calls are no-ops. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
  }
}
