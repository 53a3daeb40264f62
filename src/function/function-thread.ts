// One function-host thread seen from the caller: its Worker, its MessagePort, and the calls
// sent to it in order (the host runs them one at a time). Each call's claim word says
// whether the host started it (call-claims.ts). Owns killing: a call that must stop while
// running ends the whole thread; a queued one is withdrawn (stopped, or stolen by an idle
// thread) without a round trip; a dying thread hands its unstarted calls back. A host that
// trapped an error no call caught retires: it takes nothing more and ends once its running
// call has answered, and the error is logged under the call that raised it.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { hostPath, THREAD_BOOTSTRAP, tsxApiPath } from './host-entry.ts';
import { describeThrown } from './execute-call.ts';
import { CLAIM_SLOTS, createClaims, QUEUED, RUNNING, withdraw } from './call-claims.ts';
import { RecentCalls, type CallOwner, type LateError } from './late-errors.ts';
import { defaultLogger } from '../internal/logger.ts';
import type { CallStop } from './call-stop.ts';
import type { CallOutcome, CallRequest } from './types.ts';

/** A call as the pool tracks it. `callStop.startClock()` runs when the call starts on a ready thread. */
export interface ThreadCall {
  id: number;
  request: CallRequest;
  callStop: CallStop;
  settle: (reply: ThreadReply) => void;
  /** who to log a late error of this call to */
  owner?: CallOwner;
}

export type ThreadReply = { outcome: CallOutcome } | { stopped: true } | { died: string } | { unavailable: string };

/** A call withdrawn before it started (a ghost) stays listed until the host confirms the skip. */
interface Entry<C extends ThreadCall> {
  call: C;
  slot: number;
  ghost: boolean;
}

export interface ThreadEvents<C extends ThreadCall = ThreadCall> {
  /** the host loaded and can take calls */
  onReady(thread: FunctionThread<C>): void;
  /** a call finished: the thread may take more */
  onFree(thread: FunctionThread<C>): void;
  /** the thread is gone; `unstarted` calls never began and must be run elsewhere */
  onGone(thread: FunctionThread<C>, unstarted: C[], startedOk: boolean, reason: string): void;
}

/** `C`: the pool's own call type, handed back as it was sent. */
export class FunctionThread<C extends ThreadCall = ThreadCall> {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #events: ThreadEvents<C>;
  readonly #entries: Entry<C>[] = [];
  #ready = false;
  #gone = false;
  /** the host trapped an uncaught error: no more calls, end once the running one answered */
  #retiring = false;
  readonly #recent = new RecentCalls();
  #lastError = '';
  /** inside the port's message handler: onFree is told once, after every waiting reply */
  #batching = false;
  #freed = false;
  readonly #claims = createClaims();
  readonly #freeSlots: number[] = Array.from({ length: CLAIM_SLOTS }, (_, i) => CLAIM_SLOTS - 1 - i);
  /** performance.now() when the current head call started, for the pipelining heuristic */
  headStartedAt = 0;
  /** resolves once the thread has exited */
  readonly exited: Promise<void>;

  /** @param hostUrl the host module; tests swap in one that crashes while starting */
  constructor(events: ThreadEvents<C>, hostUrl = pathToFileURL(hostPath('function-host')).href) {
    this.#events = events;
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const tsxApi = tsxApiPath();
    const workerData = { port: port2, hostUrl, tsxApi, claims: this.#claims };
    this.#worker =
      tsxApi === null
        ? new Worker(new URL(hostUrl), { workerData, transferList: [port2] })
        : new Worker(THREAD_BOOTSTRAP, { eval: true, workerData, transferList: [port2] });
    // A thread starts only for waiting work, so it keeps the process alive until it is ready;
    // after that only a port with calls in flight does: an idle pool never holds the process.
    this.#port.unref();
    // One wake-up handles every reply already waiting, not just the first, and tells the
    // pool the thread is free once for all of them (one dispatch, one batch sent).
    this.#port.on('message', (message: unknown) => {
      this.#batching = true;
      try {
        this.#receive(message);
        this.#drain();
      } finally {
        this.#batching = false;
      }
      if (this.#freed) {
        this.#freed = false;
        if (!this.#gone) this.#events.onFree(this);
      }
    });
    this.#worker.on('error', (error) => (this.#lastError = error instanceof Error ? error.message : String(error)));
    this.exited = new Promise((resolve) => {
      this.#worker.on('exit', (code) => {
        this.#end(this.#lastError || `exited with code ${code}`);
        resolve();
      });
    });
  }

  get isReady(): boolean {
    return this.#ready && !this.#gone && !this.#retiring;
  }

  /** Calls sent and not yet settled (cancelled ones awaiting the host's skip included). */
  get load(): number {
    return this.#entries.length;
  }

  /**
   * Queues calls on this thread in one message (one postMessage costs about as much as a
   * tiny call). Calls whose arguments cannot be cloned are settled as unrunnable instead.
   */
  send(calls: C[]): void {
    const slots = calls.map(() => this.#freeSlots.pop()!);
    for (const slot of slots) Atomics.store(this.#claims, slot, QUEUED);
    try {
      // Parallel arrays, not an object per call: every cloned object costs its keys on both
      // sides, and a target shared by the calls (a FunctionRef, a function sent again) is
      // cloned once per message.
      const ids: number[] = [];
      const targets: CallRequest['target'][] = [];
      const args: unknown[][] = [];
      for (const call of calls) {
        ids.push(call.id);
        targets.push(call.request.target);
        args.push(call.request.args);
      }
      this.#port.postMessage({ ids, slots, targets, args });
    } catch (error) {
      this.#freeSlots.push(...slots);
      // One of them is uncloneable: send each alone, so only that one fails.
      if (calls.length > 1) return calls.forEach((call) => this.send([call]));
      const message = `the arguments could not be sent to the function: ${describeThrown(error)}`;
      return calls[0].settle({ outcome: { kind: 'unrunnable', message } });
    }
    const wasIdle = this.#entries.length === 0;
    for (let i = 0; i < calls.length; i++) {
      this.#entries.push({ call: calls[i], slot: slots[i], ghost: false });
      this.#recent.remember(calls[i].id, calls[i].owner);
    }
    if (wasIdle) {
      this.#port.ref();
      if (this.#ready) this.#startHead();
    }
  }

  /** Stops a call (timeout or cancellation). Returns false if it had already settled. */
  stop(call: C): boolean {
    this.#drain();
    const entry = this.#entries.find((e) => e.call === call && !e.ghost);
    if (entry === undefined) return false;
    // Stays listed (as a ghost) until the host skips it or the thread is gone.
    entry.ghost = true;
    if (withdraw(this.#claims, entry.slot)) {
      // Never started, and now never will: the host skips it and confirms.
      call.settle({ stopped: true });
      return true;
    }
    this.terminate(`a call was stopped while running`);
    // Settled once the thread is really gone: when the caller hears 'timeout', nothing runs.
    void this.exited.then(() => call.settle({ stopped: true }));
    return true;
  }

  /** Calls queued behind the head that may be run elsewhere (the head itself is never stolen). */
  get stealable(): number {
    let count = 0;
    for (let i = 1; i < this.#entries.length; i++) if (!this.#entries[i].ghost) count += 1;
    return count;
  }

  /**
   * Withdraws up to `max` calls queued behind the head, from the tail, so an idle thread can
   * run them; each is provably unstarted. Returns them in their original order.
   */
  steal(max: number): C[] {
    const stolen: C[] = [];
    for (let i = this.#entries.length - 1; i >= 1 && stolen.length < max; i--) {
      const entry = this.#entries[i];
      if (entry.ghost || !withdraw(this.#claims, entry.slot)) continue;
      entry.ghost = true;
      stolen.push(entry.call);
    }
    return stolen.reverse();
  }

  terminate(reason: string): void {
    this.#lastError ||= reason;
    void this.#worker.terminate();
  }

  #receive(message: unknown): void {
    if ((message as { ready?: boolean }).ready === true) {
      this.#ready = true;
      this.#worker.unref();
      this.#events.onReady(this);
      if (this.#entries.length > 0) this.#startHead();
      return;
    }
    if ('retire' in (message as object)) return this.#retire((message as { retire: LateError | null }).retire);
    const reply = message as { id: number; outcome?: CallOutcome; value?: unknown };
    const { id } = reply;
    // A returned value comes as `value` alone (see workers/function-host.ts); 'skipped' has neither.
    const outcome: CallOutcome | undefined =
      'value' in reply ? { kind: 'returned', value: reply.value } : reply.outcome;
    // A loop, not findIndex: no closure per reply.
    let index = 0;
    while (index < this.#entries.length && this.#entries[index].call.id !== id) index++;
    if (index === this.#entries.length) return;
    const entry = index === 0 ? this.#entries.shift()! : this.#entries.splice(index, 1)[0];
    this.#freeSlots.push(entry.slot);
    if (!entry.ghost && outcome !== undefined) entry.call.settle({ outcome });
    if (this.#gone) return;
    if (this.#retiring) return this.#endIfIdle();
    if (index === 0 && this.#entries.length > 0) this.#startHead();
    if (this.#entries.length === 0) this.#port.unref();
    if (this.#batching) this.#freed = true;
    else this.#events.onFree(this);
  }

  /** Handles replies already posted by the host, so a stop never races a finished call. */
  #drain(): void {
    for (let entry = receiveMessageOnPort(this.#port); entry !== undefined; entry = receiveMessageOnPort(this.#port)) {
      this.#receive(entry.message);
    }
  }

  #retire(late: LateError | null): void {
    this.#retiring = true;
    if (late !== null) this.#recent.logLate(late, 'thread', defaultLogger);
    this.#endIfIdle();
  }

  /** A retiring thread ends once no call it started is still unanswered. */
  #endIfIdle(): void {
    if (this.#entries.some((entry) => Atomics.load(this.#claims, entry.slot) === RUNNING)) return;
    this.terminate('retired after an error no call caught');
  }

  #startHead(): void {
    this.headStartedAt = performance.now();
    const head = this.#entries[0];
    // A ghost at the head is skipped by the host; the next head starts on its 'skipped' reply.
    if (!head.ghost) head.call.callStop.startClock();
  }

  #end(reason: string): void {
    if (this.#gone) return;
    this.#gone = true;
    // Results the host posted before it died still count.
    this.#drain();
    this.#port.close();
    const unstarted: C[] = [];
    for (const entry of this.#entries.splice(0)) {
      if (entry.ghost) continue;
      // Only a call the host claimed can have started; the rest go back to the pool.
      if (Atomics.load(this.#claims, entry.slot) === RUNNING) entry.call.settle({ died: reason });
      else if (withdraw(this.#claims, entry.slot)) unstarted.push(entry.call);
    }
    this.#events.onGone(this, unstarted, this.#ready, reason);
  }
}
