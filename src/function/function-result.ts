// The one FunctionResult builder: how a call's ending (CallEnding, with why its stop was
// thrown) becomes the result runFunction resolves with, and the log line of a call that did
// not pass. Pure apart from the clock (endTime, durationMs) and the logger.
import { describeCancellation, timedOutAfter } from '../internal/cancellation.ts';
import { isLogging, logFailure } from '../internal/logger.ts';
import type { CallStop } from './call-stop.ts';
import type { CallEnding, FunctionResult, FunctionStatus } from './types.ts';
import type { ValidCall } from './validate-options.ts';

type Ending = Pick<FunctionResult<unknown>, 'status' | 'result' | 'error' | 'errorType' | 'stack'>;

function ended(status: FunctionStatus, error: string | null, rest: Partial<Ending> = {}): Ending {
  return { status, error, result: null, errorType: null, stack: null, ...rest };
}

/**
 * The ISO text of a time, made once per millisecond: thousands of calls start (or end) within
 * the same one. Starts and ends keep one each, since a burst's calls end long after they start.
 */
class IsoText {
  #ms = Number.NaN;
  #text = '';

  at(ms: number): string {
    if (ms !== this.#ms) {
      this.#ms = ms;
      this.#text = new Date(ms).toISOString();
    }
    return this.#text;
  }
}
const startIso = new IsoText();
const endIso = new IsoText();

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
 * The result of `call`, which started at `startTime` (Date.now()) and `started`
 * (performance.now()) and ended now as `ending`; logged when it did not pass.
 */
export function functionResult<R>(
  call: ValidCall,
  stop: CallStop,
  ending: CallEnding,
  startTime: number,
  started: number,
): FunctionResult<R> {
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
    startTime: startIso.at(startTime),
    endTime: endIso.at(endTime),
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
