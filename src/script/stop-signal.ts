// A one-shot stop flag with listeners, for the per-script plumbing of the fork-server path.
// An AbortController per script, and the DOMException its abort() builds, cost ~30 µs of the
// main thread each (a third of its per-script work at ~1,000 forked scripts a second); this
// does the same job with a flag and an array. Callers' own AbortSignals are accepted as well.

export class StopSignal {
  #stopped = false;
  #listeners: Array<() => void> = [];

  get aborted(): boolean {
    return this.#stopped;
  }

  /** Stops once: calls every listener, in order; later calls do nothing. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }

  /** Calls `listener` once when stopped (never if already stopped); returns the unsubscribe. */
  onStop(listener: () => void): () => void {
    if (this.#stopped) return noop;
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at !== -1) this.#listeners.splice(at, 1);
    };
  }
}

function noop(): void {}

/**
 * Calls `listener` once when the signal stops or aborts (never if it already has: check
 * `aborted` first); returns the unsubscribe.
 */
export function whenStopped(signal: AbortSignal | StopSignal | undefined, listener: () => void): () => void {
  if (!signal) return noop;
  if (signal instanceof StopSignal) return signal.onStop(listener);
  if (signal.aborted) return noop;
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}
