// The `size` slots a SupervisorPool shares between both start methods: at most `size` scripts
// run at once, waiters are served first come first served, and a freed slot goes straight to
// the first waiter so no later run can overtake it. A waiter whose signal aborts leaves the
// queue and never starts.

import { describeAbortedSignal, describeCancellation } from '../internal/cancellation.ts';

/** Plain-language reason for a run cancelled by `signal` (the one wording, ../internal/cancellation.ts). */
export const abortMessage: (signal: AbortSignal) => string = describeAbortedSignal;

export class SlotQueue {
  private running = 0;
  /** resolve(false) = the queue was closed before a slot came free */
  private readonly waiters: Array<(granted: boolean) => void> = [];
  private closed = false;

  constructor(private readonly size: number) {}

  /** Waits for a slot: null once granted, else why the run gave up (abort or close). */
  acquire(signal: AbortSignal | undefined): Promise<string | null> | string | null {
    if (this.running < this.size && this.waiters.length === 0) {
      this.running += 1;
      return null;
    }
    return new Promise<string | null>((resolve) => {
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        resolve(abortMessage(signal!));
      };
      const waiter = (granted: boolean) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(granted ? null : describeCancellation('the runner was closed'));
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the slot straight to the first waiter, so no later run can overtake it. */
  release(): void {
    const next = this.waiters.shift();
    if (next && !this.closed) next(true);
    else this.running -= 1;
  }

  /** Every waiter gives up ('cancelled: the runner was closed'); running slots drain by release(). */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter(false);
  }
}
