// runFunction: runs one function in an isolated pool thread, or, with memoryLimitMb, in a
// heap-limited child process. Owns the call's timeout and cancellation (one internal
// CallStop; the first reason wins) and turns every ending into a FunctionResult.
// Never rejects for a failure of the function itself; only bad options reject (TypeError).
import { CallStop } from './call-stop.ts';
import { closeProcessPool, runInProcess } from './process-pool.ts';
import { closeThreadPool, runOnThread } from './thread-pool.ts';
import type { CallEnding, FunctionRef, FunctionResult, FunctionStatus, RunFunctionOptions } from './types.ts';
import { validateCall, type ValidCall } from './validate-options.ts';
import { describeThrown } from './execute-call.ts';

type Ending = Pick<FunctionResult<unknown>, 'status' | 'result' | 'error' | 'errorType' | 'stack'>;

function ended(status: FunctionStatus, error: string | null, rest: Partial<Ending> = {}): Ending {
  return { status, error, result: null, errorType: null, stack: null, ...rest };
}

function describeReason(reason: unknown): string {
  if (reason === undefined) return 'cancelled';
  const text = describeThrown(reason);
  return text && text !== 'This operation was aborted' ? `cancelled: ${text}` : 'cancelled';
}

function toEnding(ending: CallEnding, call: ValidCall, stopReason: 'timeout' | 'cancelled' | null): Ending {
  switch (ending.kind) {
    case 'outcome': {
      const { outcome } = ending;
      if (outcome.kind === 'returned') return ended('passed', null, { result: outcome.value });
      if (outcome.kind === 'threw') return ended('failed', outcome.message, { errorType: outcome.errorType, stack: outcome.stack });
      return ended('error', outcome.message);
    }
    case 'aborted':
      return stopReason === 'timeout'
        ? ended('timeout', `timed out after ${call.timeoutMs} ms`)
        : ended('cancelled', describeReason(call.signal?.reason));
    case 'host-died':
      return ending.outOfMemory
        ? ended('failed', `memory limit of ${call.memoryLimitMb} MiB exceeded (JavaScript heap out of memory)`, { errorType: 'OutOfMemory' })
        : ended('failed', ending.message);
    case 'unavailable':
      return ended('error', ending.message);
    case 'closed':
      return ended('cancelled', 'cancelled: the function pool was closed');
  }
}

/**
 * Runs `fn` (sent by its source text, so it must be self-contained) or a module export
 * (`FunctionRef`) in an isolated thread. See ../shared/API.md, "Functions in isolated threads".
 */
export async function runFunction<R>(
  fn: ((...args: any[]) => R | Promise<R>) | FunctionRef,
  options?: RunFunctionOptions,
): Promise<FunctionResult<R>> {
  const call = validateCall(fn, options);
  const startTime = new Date();
  const started = performance.now();
  const stop = new CallStop();
  let stopReason: 'timeout' | 'cancelled' | null = null;
  let timer: NodeJS.Timeout | undefined;
  const onCancel = (): void => {
    stopReason ??= 'cancelled';
    stop.stop();
  };
  // The clock starts when a thread or process takes the call, not while it waits for one.
  // A call handed back unstarted by a dying thread starts again elsewhere: restart its clock.
  const startClock = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stopReason ??= 'timeout';
      stop.stop();
    }, call.timeoutMs);
  };
  let ending: CallEnding;
  if (call.signal?.aborted) {
    stopReason = 'cancelled';
    ending = { kind: 'aborted' };
  } else {
    call.signal?.addEventListener('abort', onCancel, { once: true });
    try {
      const request = { target: call.target, args: call.args };
      ending = call.memoryLimitMb === null
        ? await runOnThread(request, stop, startClock)
        : await runInProcess(request, call.memoryLimitMb, stop, startClock);
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', onCancel);
    }
  }
  const endTime = new Date();
  return {
    name: call.name,
    type: 'function',
    ...(toEnding(ending, call, stopReason) as Ending & { result: R | null }),
    isolation: call.memoryLimitMb === null ? 'thread' : 'process',
    startTime: startTime.toISOString(),
    endTime: endTime.toISOString(),
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
  };
}

/** Ends every function thread and host process; calls in flight end 'cancelled'. Safe to call twice. */
export async function closeFunctionPool(): Promise<void> {
  await Promise.all([closeThreadPool(), closeProcessPool()]);
}
