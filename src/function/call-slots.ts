// A FIFO counting semaphore for calls: runFunction takes a slot before it hands a call to a
// host, so a call's timeout clock starts when it really starts, not while it waits in a
// queue, and a waiting call that is aborted simply leaves the queue.

interface Waiter {
  grant: (granted: boolean) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class CallSlots {
  #free: number;
  readonly #waiters: Waiter[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  /**
   * Resolves true once a slot is held, false if `signal` aborted first (no slot held).
   * Returns a plain boolean, without a promise, when a slot is free at once (the hot path).
   */
  acquire(signal: AbortSignal): boolean | Promise<boolean> {
    if (signal.aborted) return false;
    if (this.#free > 0 && this.#waiters.length === 0) {
      this.#free -= 1;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        grant: resolve,
        signal,
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index !== -1) this.#waiters.splice(index, 1);
          resolve(false);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Gives a held slot back: straight to the oldest waiter, if any. */
  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) {
      this.#free += 1;
      return;
    }
    next.signal.removeEventListener('abort', next.onAbort);
    next.grant(true);
  }

  /** Number of calls waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Refuses every waiter (used when the pool closes). */
  rejectWaiters(): void {
    for (const waiter of this.#waiters.splice(0)) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.grant(false);
    }
  }
}
