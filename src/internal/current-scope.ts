// The AsyncLocalStorage behind structured cancellation, at the bottom of the dependency
// graph so the script and function cores can bind to the enclosing task or job without
// importing the task layer. Invariant: a run started inside a scope obeys that scope's
// signal unless it opted out with `detached: true`.

import { AsyncLocalStorage } from 'node:async_hooks';

/** What the storage holds: a task's or job's scope (src/task/scope.ts). */
export interface ScopeLike {
  readonly signal: AbortSignal;
}

const storage = new AsyncLocalStorage<ScopeLike>();

/**
 * The AbortSignal of the innermost enclosing task or job; undefined outside every task.
 * It stays valid in everything the task awaits or starts (timers, promises, child runners).
 */
export function currentSignal(): AbortSignal | undefined {
  return storage.getStore()?.signal;
}

/** The innermost enclosing scope itself (the job runner finds its run this way); undefined outside. */
export function currentScope(): ScopeLike | undefined {
  return storage.getStore();
}

/** Calls fn(...args) with `scope` as the current scope for fn and all it awaits. */
export function runInScope<A extends unknown[], R>(scope: ScopeLike, fn: (...args: A) => R, ...args: A): R {
  return storage.run(scope, fn, ...args);
}

/**
 * The signals a run started now must obey: its own `signal` and the enclosing scope's
 * (either one aborts it), or only its own when `detached`. Read it before any await.
 */
export function bindingSignals(explicit: AbortSignal | undefined, detached: boolean | undefined): AbortSignal[] {
  const scope = detached === true ? undefined : currentSignal();
  if (explicit === undefined) return scope === undefined ? [] : [scope];
  return scope === undefined || scope === explicit ? [explicit] : [explicit, scope];
}

/** The same as one AbortSignal (AbortSignal.any when there are two), or undefined. */
export function bindToScope(explicit: AbortSignal | undefined, detached: boolean | undefined): AbortSignal | undefined {
  const signals = bindingSignals(explicit, detached);
  return signals.length <= 1 ? signals[0] : AbortSignal.any(signals);
}
