// runFunction: runs one function in an isolated pool thread, or, with memoryLimitMb, in a
// heap-limited child process. Validates at the boundary, then hands the call (one
// FunctionCall: its timeout and cancellation, the first reason wins) to its runtime.
// Never rejects for a failure of the function itself; only bad options reject (TypeError).
import { RUNTIMES } from './call-runtime.ts';
import { FunctionCall } from './function-call.ts';
import type { FunctionRef, FunctionResult, RunFunctionOptions } from './types.ts';
import { validateCall, type ValidCall } from './validate-options.ts';

/** Takes a new promise's resolve without a closure per call (see capture). */
let captured: (result: FunctionResult<unknown>) => void = () => undefined;

function capture(resolve: (result: FunctionResult<unknown>) => void): void {
  captured = resolve;
}

/**
 * Runs `fn` (sent by its source text, so it must be self-contained) or a module export
 * (`FunctionRef`) in an isolated thread. See docs/API.md, "Functions in isolated threads".
 */
export function runFunction<R>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the contract's signature: any arguments
  fn: ((...args: any[]) => R | Promise<R>) | FunctionRef,
  options?: RunFunctionOptions,
): Promise<FunctionResult<R>> {
  let valid: ValidCall;
  try {
    valid = validateCall(fn, options);
  } catch (error) {
    // Only bad options reject (validateCall throws a TypeError), as an async function would.
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
  const promise = new Promise<FunctionResult<unknown>>(capture) as Promise<FunctionResult<R>>;
  new FunctionCall<R>(valid, captured).begin();
  return promise;
}

/** Ends every function thread and host process; calls in flight end 'cancelled'. Safe to call twice. */
export async function closeFunctionPool(): Promise<void> {
  await Promise.all(RUNTIMES.map((runtime) => runtime.close()));
}
