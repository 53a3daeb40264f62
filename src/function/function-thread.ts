// One function-host thread seen from the caller: its Worker, its MessagePort, and the calls
// sent to it in order (the host runs them one at a time, so the first unsettled one is the
// only one that can be running). Owns killing: a call that must stop while running ends the
// whole thread, and every other call still on it is handed back unstarted, to run elsewhere.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { hostPath, THREAD_BOOTSTRAP, tsxApiPath } from './host-entry.ts';
import { describeThrown } from './execute-call.ts';
import type { CallOutcome, CallRequest } from './types.ts';

/** A call as the pool tracks it. `startClock` runs once, when the call starts on a ready thread. */
export interface ThreadCall {
  id: number;
  request: CallRequest;
  startClock: () => void;
  settle: (reply: ThreadReply) => void;
}

export type ThreadReply = { outcome: CallOutcome } | { stopped: true } | { died: string } | { unavailable: string };

/** A call cancelled before it started stays listed until the host confirms the skip. */
interface Entry {
  call: ThreadCall;
  ghost: boolean;
}

export interface ThreadEvents {
  /** the host loaded and can take calls */
  onReady(thread: FunctionThread): void;
  /** a call finished: the thread may take more */
  onFree(thread: FunctionThread): void;
  /** the thread is gone; `unstarted` calls never began and must be run elsewhere */
  onGone(thread: FunctionThread, unstarted: ThreadCall[], startedOk: boolean, reason: string): void;
}

/** How long a cancelled call may linger at the head before the host is presumed to run it. */
const GHOST_GRACE_MS = 200;

export class FunctionThread {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #events: ThreadEvents;
  readonly #entries: Entry[] = [];
  #ready = false;
  #gone = false;
  #lastError = '';
  #ghostTimer: NodeJS.Timeout | undefined;
  /** performance.now() when the current head call started, for the pipelining heuristic */
  headStartedAt = 0;
  /** resolves once the thread has exited */
  readonly exited: Promise<void>;

  /** @param hostUrl the host module; tests swap in one that crashes while starting */
  constructor(events: ThreadEvents, hostUrl = pathToFileURL(hostPath('function-host')).href) {
    this.#events = events;
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const tsxApi = tsxApiPath();
    const workerData = { port: port2, hostUrl, tsxApi };
    this.#worker = tsxApi === null
      ? new Worker(new URL(hostUrl), { workerData, transferList: [port2] })
      : new Worker(THREAD_BOOTSTRAP, { eval: true, workerData, transferList: [port2] });
    // A thread starts only for waiting work, so it keeps the process alive until it is ready;
    // after that only a port with calls in flight does: an idle pool never holds the process.
    this.#port.unref();
    // One wake-up handles every reply already waiting, not just the first.
    this.#port.on('message', (message: unknown) => {
      this.#receive(message);
      this.#drain();
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
    return this.#ready && !this.#gone;
  }

  /** Calls sent and not yet settled (cancelled ones awaiting the host's skip included). */
  get load(): number {
    return this.#entries.length;
  }

  /**
   * Queues calls on this thread in one message (one postMessage costs about as much as a
   * tiny call). Calls whose arguments cannot be cloned are settled as unrunnable instead.
   */
  send(calls: ThreadCall[]): void {
    try {
      this.#port.postMessage(calls.map((call) => ({ id: call.id, request: call.request })));
    } catch (error) {
      // One of them is uncloneable: send each alone, so only that one fails.
      if (calls.length > 1) return calls.forEach((call) => this.send([call]));
      const message = `the arguments could not be sent to the function: ${describeThrown(error)}`;
      return calls[0]!.settle({ outcome: { kind: 'unrunnable', message } });
    }
    const wasIdle = this.#entries.length === 0;
    for (const call of calls) this.#entries.push({ call, ghost: false });
    if (wasIdle) {
      this.#port.ref();
      if (this.#ready) this.#startHead();
    }
  }

  /** Stops a call (timeout or cancellation). Returns false if it had already settled. */
  stop(call: ThreadCall): boolean {
    this.#drain();
    const index = this.#entries.findIndex((entry) => entry.call === call && !entry.ghost);
    if (index === -1) return false;
    if (index === 0 && this.#ready) {
      // Stays listed (as settled) so the thread's end does not take the next call for the running one.
      this.#entries[0]!.ghost = true;
      this.terminate(`a call was stopped while running`);
      // Settled once the thread is really gone: when the caller hears 'timeout', nothing runs.
      void this.exited.then(() => call.settle({ stopped: true }));
      return true;
    }
    // Not started yet: the host drops it, and confirms with a 'skipped' reply.
    this.#entries[index]!.ghost = true;
    this.#port.postMessage({ cancel: call.id });
    call.settle({ stopped: true });
    return true;
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
    const { id, outcome } = message as { id: number; outcome?: CallOutcome };
    const index = this.#entries.findIndex((entry) => entry.call.id === id);
    if (index === -1) return;
    const [entry] = this.#entries.splice(index, 1);
    if (!entry!.ghost && outcome !== undefined) entry!.call.settle({ outcome });
    if (this.#gone) return;
    if (index === 0 && this.#entries.length > 0) this.#startHead();
    if (this.#entries.length === 0) this.#port.unref();
    this.#events.onFree(this);
  }

  /** Handles replies already posted by the host, so a stop never races a finished call. */
  #drain(): void {
    for (let entry = receiveMessageOnPort(this.#port); entry !== undefined; entry = receiveMessageOnPort(this.#port)) {
      this.#receive(entry.message);
    }
  }

  #startHead(): void {
    clearTimeout(this.#ghostTimer);
    this.headStartedAt = performance.now();
    const head = this.#entries[0]!;
    if (!head.ghost) return head.call.startClock();
    // Normally the host skips a cancelled call at once; if it does not, it is running it.
    this.#ghostTimer = setTimeout(() => {
      if (this.#entries[0] === head) this.terminate('a cancelled call started anyway');
    }, GHOST_GRACE_MS).unref();
  }

  #end(reason: string): void {
    if (this.#gone) return;
    this.#gone = true;
    clearTimeout(this.#ghostTimer);
    // Results the host posted before it died still count.
    this.#drain();
    this.#port.close();
    const entries = this.#entries.splice(0);
    // Only the head can have started; the rest never ran and go back to the pool.
    const head = this.#ready ? entries.shift() : undefined;
    if (head !== undefined && !head.ghost) head.call.settle({ died: reason });
    const unstarted = entries.filter((entry) => !entry.ghost).map((entry) => entry.call);
    this.#events.onGone(this, unstarted, this.#ready, reason);
  }
}
