// Owns the one interface every function runtime answers to: the shared thread pool, a thread
// of its own per call (isolate: 'fresh'), and heap-limited host processes (memoryLimitMb).
// run() never rejects: every way a call can end is a CallEnding; close() ends whatever the
// runtime holds, and its calls in flight end 'closed'. runFunction only picks one.
import type { CallStop } from './call-stop.ts';
import { closeFreshThreads, runOnFreshThread } from './fresh-thread.ts';
import type { CallOwner } from './late-errors.ts';
import { closeProcessPool, runInProcess } from './process-pool.ts';
import { closeThreadPool, runOnThread } from './thread-pool.ts';
import type { CallEnding, CallRequest } from './types.ts';

/** What a runtime gets with each call besides the request. */
export interface CallContext {
  /** the call's timeout or cancellation: takes a waiting call off, ends a running one */
  stop: CallStop;
  /** called when a thread or process takes the call (again, if it is handed back unstarted) */
  startClock: () => void;
  /** who made the call: late errors are logged under it */
  owner?: CallOwner;
  /** the host's heap limit (process hosts only; they need one) */
  memoryLimitMb: number | null;
  /** a host no other call used or will use */
  fresh: boolean;
}

export interface CallRuntime {
  readonly name: string;
  run(request: CallRequest, context: CallContext): Promise<CallEnding>;
  close(): Promise<void>;
}

export const threadPoolRuntime: CallRuntime = {
  name: 'thread pool',
  run: (request, { stop, startClock, owner }) => runOnThread(request, stop, startClock, owner),
  close: closeThreadPool,
};

export const freshThreadRuntime: CallRuntime = {
  name: 'fresh thread',
  run: (request, { stop, startClock }) => runOnFreshThread(request, stop, startClock),
  close: closeFreshThreads,
};

export const processHostRuntime: CallRuntime = {
  name: 'process host',
  run: (request, { stop, startClock, owner, memoryLimitMb, fresh }) =>
    runInProcess(request, memoryLimitMb!, stop, startClock, fresh, owner),
  close: closeProcessPool,
};

export const RUNTIMES: readonly CallRuntime[] = [threadPoolRuntime, freshThreadRuntime, processHostRuntime];

/** A memory limit needs a process (a thread's heap cannot be capped alone); else a thread. */
export function runtimeFor(call: { memoryLimitMb: number | null; fresh: boolean }): CallRuntime {
  if (call.memoryLimitMb !== null) return processHostRuntime;
  return call.fresh ? freshThreadRuntime : threadPoolRuntime;
}
