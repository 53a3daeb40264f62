// runFunction: runs one function in an isolated pool thread, or, with memoryLimitMb, in a
// heap-limited child process. Owns the call's timeout and cancellation (one internal
// CallStop; the first reason wins: timeout, the caller's signal or the enclosing task's
// scope) and turns every ending into a FunctionResult, logging those that did not pass.
// Never rejects for a failure of the function itself; only bad options reject (TypeError).
import { RUNTIMES, runtimeFor } from './call-runtime.ts';
import { CallStop } from './call-stop.ts';
import { describeCancellation, timedOutAfter } from '../internal/cancellation.ts';
import { isLogging, logFailure } from '../internal/logger.ts';
import type { CallEnding, FunctionRef, FunctionResult, FunctionStatus, RunFunctionOptions } from './types.ts';
import { validateCall, type ValidCall } from './validate-options.ts';

type Ending = Pick<FunctionResult<unknown>, 'status' | 'result' | 'error' | 'errorType' | 'stack'>;

function ended(status: FunctionStatus, error: string | null, rest: Partial<Ending> = {}): Ending {
  return { status, error, result: null, errorType: null, stack: null, ...rest };
}

// Thousands of calls end within the same millisecond: its ISO text is made once.
let isoMs = Number.NaN;
let isoText = '';

function isoAt(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

function describeEnding(
  ending: CallEnding,
  call: ValidCall,
  stopReason: 'timeout' | 'cancelled' | null,
  cancelReason: unknown,
): Ending {
  switch (ending.kind) {
    case 'outcome': {
      const { outcome } = ending;
      if (outcome.kind === 'returned') return ended('passed', null, { result: outcome.value });
      if (outcome.kind === 'threw')
        return ended('failed', outcome.message, { errorType: outcome.errorType, stack: outcome.stack });
      return ended('error', outcome.message);
    }
    case 'aborted':
      return stopReason === 'timeout'
        ? ended('timeout', timedOutAfter(call.timeoutMs))
        : ended('cancelled', describeCancellation(cancelReason));
    case 'host-died':
      return ending.outOfMemory
        ? ended('failed', `memory limit of ${call.memoryLimitMb} MiB exceeded (JavaScript heap out of memory)`, {
            errorType: 'OutOfMemory',
          })
        : ended('failed', ending.message);
    case 'unavailable':
      return ended('error', ending.message);
    case 'closed':
      return ended('cancelled', describeCancellation('the function pool was closed'));
  }
}

/**
 * Runs `fn` (sent by its source text, so it must be self-contained) or a module export
 * (`FunctionRef`) in an isolated thread. See docs/API.md, "Functions in isolated threads".
 */
export async function runFunction<R>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the contract's signature: any arguments
  fn: ((...args: any[]) => R | Promise<R>) | FunctionRef,
  options?: RunFunctionOptions,
): Promise<FunctionResult<R>> {
  const call = validateCall(fn, options);
  const startTime = Date.now();
  const started = performance.now();
  // The clock starts when a thread or process takes the call, not while it waits for one.
  const stop = new CallStop(call.timeoutMs);
  const { signals } = call;
  let ending: CallEnding;
  const aborted = signals.find((signal) => signal.aborted);
  if (aborted !== undefined) {
    stop.cancel(aborted.reason);
    ending = { kind: 'aborted' };
  } else {
    // `stop` is the abort listener (handleEvent): no closure per call.
    for (const signal of signals) signal.addEventListener('abort', stop, { once: true });
    try {
      ending = await runtimeFor(call).run(call, stop);
    } finally {
      stop.clearClock();
      for (const signal of signals) signal.removeEventListener('abort', stop);
    }
  }
  const endTime = Date.now();
  // A passing call (the common case) needs no Ending built first.
  const passed = ending.kind === 'outcome' && ending.outcome.kind === 'returned';
  const other = passed ? null : describeEnding(ending, call, stop.reason, stop.cancelReason);
  const result: FunctionResult<R> = {
    name: call.name,
    type: 'function',
    status: other === null ? 'passed' : other.status,
    error: other === null ? null : other.error,
    result: (other === null ? (ending as { outcome: { value: unknown } }).outcome.value : other.result) as R | null,
    errorType: other === null ? null : other.errorType,
    stack: other === null ? null : other.stack,
    isolation: call.memoryLimitMb === null ? 'thread' : 'process',
    startTime: isoAt(startTime),
    endTime: isoAt(endTime),
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
  };
  if (result.status !== 'passed' && isLogging(call.logger)) {
    logFailure(call.logger, {
      event: 'function.end',
      name: result.name,
      status: result.status,
      durationMs: result.durationMs,
      error: result.error,
    });
  }
  return result;
}

/** Ends every function thread and host process; calls in flight end 'cancelled'. Safe to call twice. */
export async function closeFunctionPool(): Promise<void> {
  await Promise.all(RUNTIMES.map((runtime) => runtime.close()));
}
