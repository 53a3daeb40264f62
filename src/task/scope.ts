// The AbortController tree behind structured cancellation. Owns the AsyncLocalStorage
// that tells a task or job which scope it runs in, and `currentSignal()` that reads it.
// Invariant: once a scope is aborted its signal (created now or later) is aborted with
// the first reason; a scope never un-aborts.

import { AsyncLocalStorage } from 'node:async_hooks';

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

const storage = new AsyncLocalStorage<Scope>();

/**
 * The AbortSignal of the innermost enclosing task or job; undefined outside every task.
 * It stays valid in everything the task awaits or starts (timers, promises, child runners).
 */
export function currentSignal(): AbortSignal | undefined {
  return storage.getStore()?.signal;
}

/** Calls fn(...args) with `scope` as the current scope for fn and all it awaits. */
export function runInScope<A extends unknown[], R>(scope: Scope, fn: (...args: A) => R, ...args: A): R {
  return storage.run(scope, fn, ...args);
}
