// The stop switch of one call, thrown by its timeout or its caller's AbortSignal. Lighter
// than an AbortController (a pool thread sees tens of thousands of calls a second): one
// listener, and an AbortSignal made only for code that wants one (the process pool).

export class CallStop {
  #stopped = false;
  #listener: (() => void) | null = null;
  #controller: AbortController | null = null;

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Sets the single listener (replacing any earlier one); null removes it. */
  onStop(listener: (() => void) | null): void {
    this.#listener = listener;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#controller?.abort();
    const listener = this.#listener;
    this.#listener = null;
    listener?.();
  }

  /** An AbortSignal that aborts with this stop, created on first use. */
  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#stopped) this.#controller.abort();
    }
    return this.#controller.signal;
  }
}
