// The stop switch of one call, thrown by its timeout or its caller's AbortSignal, and the
// call's timeout clock. Lighter than an AbortController (a pool thread sees tens of thousands
// of calls a second): one listener, an AbortSignal made only for code that wants one (the
// process pool), no closure per call (it is its own abort listener) and no timer per call
// (it is its own node in the shared clock, call-clock.ts).
// Invariant: the first reason wins (timeout or cancelled); a stopped call stays stopped.

import { startClock, stopClock, type ClockNode } from './call-clock.ts';

/** Who is told when the call stops (the runtime holding it). */
export interface StopListener {
  onStopped(): void;
}

export class CallStop implements ClockNode {
  #stopped = false;
  #listener: StopListener | null = null;
  #controller: AbortController | null = null;
  deadline = 0;
  clockPrev: ClockNode | null = null;
  clockNext: ClockNode | null = null;
  clockList: ClockNode['clockList'] = null;
  /** Why it stopped: its timeout, or a signal (then `cancelReason` is that signal's reason). */
  reason: 'timeout' | 'cancelled' | null = null;
  cancelReason: unknown = undefined;

  /** @param timeoutMs the clock's length once started (startClock); 0: no clock. */
  constructor(readonly timeoutMs = 0) {}

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Sets the single listener (replacing any earlier one); null removes it. */
  onStop(listener: StopListener | null): void {
    this.#listener = listener;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#controller?.abort();
    const listener = this.#listener;
    this.#listener = null;
    listener?.onStopped();
  }

  /**
   * (Re)starts the timeout: called when a thread or process takes the call, and again when a
   * call handed back unstarted by a dying thread starts elsewhere.
   */
  startClock(): void {
    if (this.timeoutMs !== 0) startClock(this, this.timeoutMs);
  }

  clearClock(): void {
    stopClock(this);
  }

  /** The clock ran out: stopped for 'timeout' (unless it was stopped for another reason first). */
  expire(): void {
    this.reason ??= 'timeout';
    this.stop();
  }

  /** A caller's (or the enclosing scope's) signal aborted: `this` is its abort listener. */
  handleEvent(event: Event): void {
    this.cancel((event.target as AbortSignal).reason);
  }

  cancel(reason: unknown): void {
    if (this.reason === null) {
      this.reason = 'cancelled';
      this.cancelReason = reason;
    }
    this.stop();
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
