// Owns the one interface every function runtime answers to: the shared thread pool, a thread
// of its own per call (isolate: 'fresh'), and heap-limited host processes (memoryLimitMb).
// run() never rejects: every way a call can end is a CallEnding; close() ends whatever the
// runtime holds, and its calls in flight end 'closed'. runFunction only picks one.
import type { CallStop } from './call-stop.ts';
import { closeFreshThreads, runOnFreshThread } from './fresh-thread.ts';
import { closeProcessPool, runInProcess } from './process-pool.ts';
import { closeThreadPool, runOnThread } from './thread-pool.ts';
import type { CallEnding } from './types.ts';
import type { ValidCall } from './validate-options.ts';

/**
 * What a runtime gets with each call: the validated call itself is its request (target, args),
 * its owner (name and logger: late errors are logged under it), its heap limit (process hosts
 * only) and whether it needs a fresh host; `stop` is its timeout or cancellation (it takes a
 * waiting call off and ends a running one) and its clock (stop.startClock(), called when a
 * thread or process takes the call, again if it is handed back unstarted).
 */
export interface CallRuntime {
  readonly name: string;
  run(call: ValidCall, stop: CallStop): Promise<CallEnding>;
  close(): Promise<void>;
}

export const threadPoolRuntime: CallRuntime = {
  name: 'thread pool',
  run: (call, stop) => runOnThread(call, stop, call),
  close: closeThreadPool,
};

export const freshThreadRuntime: CallRuntime = {
  name: 'fresh thread',
  run: (call, stop) => runOnFreshThread(call, stop),
  close: closeFreshThreads,
};

export const processHostRuntime: CallRuntime = {
  name: 'process host',
  run: (call, stop) =>
    runInProcess({ target: call.target, args: call.args }, call.memoryLimitMb!, stop, call.fresh, {
      name: call.name,
      logger: call.logger,
    }),
  close: closeProcessPool,
};

export const RUNTIMES: readonly CallRuntime[] = [threadPoolRuntime, freshThreadRuntime, processHostRuntime];

/** A memory limit needs a process (a thread's heap cannot be capped alone); else a thread. */
export function runtimeFor(call: { memoryLimitMb: number | null; fresh: boolean }): CallRuntime {
  if (call.memoryLimitMb !== null) return processHostRuntime;
  return call.fresh ? freshThreadRuntime : threadPoolRuntime;
}
