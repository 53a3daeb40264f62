// Owns one 'abort' listener per signal for many waiters: a run's jobs all share the run's
// signal, and Node's EventTarget walks every listener on each addEventListener (its
// duplicate check), so one listener per job cost O(window) per job (a tenth of the
// coordinator's CPU at a 1,000-job window). Invariant: each callback registered and not
// removed runs once when the signal aborts; an already aborted signal runs it at once.

const callbacks = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `onAbort` when `signal` aborts; returns the function that unregisters it. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return () => {};
  }
  let set = callbacks.get(signal);
  if (!set) {
    const waiting = new Set<() => void>();
    set = waiting;
    callbacks.set(signal, waiting);
    signal.addEventListener(
      'abort',
      () => {
        callbacks.delete(signal);
        for (const run of waiting) run();
      },
      { once: true },
    );
  }
  set.add(callback);
  const registered = set;
  return () => void registered.delete(callback);
}
