// One runFunction call from its validated options to its FunctionResult, as one object: the
// validated call (ValidCall), its stop and clock (CallStop: timeout, the caller's signal, the
// enclosing scope) and its entry in the thread pool (PooledCall). A burst keeps tens of
// thousands waiting at once, each kept by every scavenge: so one object and one promise per
// call, no closure and no async frame. Invariant: a call ends once, resolving its promise.
import { runtimeFor, threadPoolRuntime } from './call-runtime.ts';
import { CallStop } from './call-stop.ts';
import { functionResult } from './function-result.ts';
import type { ThreadReply } from './function-thread.ts';
import { settlePooled, stopPooled, submitToPool, type PooledCall, type ThreadPool } from './thread-pool.ts';
import type { CallEnding, CallTarget, FunctionResult } from './types.ts';
import type { ValidCall } from './validate-options.ts';
import type { ErgateLogger } from '../internal/logger.ts';

export class FunctionCall<R> extends CallStop implements ValidCall, PooledCall {
  readonly target: CallTarget;
  readonly args: unknown[];
  readonly memoryLimitMb: number | null;
  readonly signals: AbortSignal[];
  readonly name: string;
  readonly fresh: boolean;
  readonly logger: ErgateLogger;
  readonly #startTime = Date.now();
  readonly #started = performance.now();
  readonly #resolve: (result: FunctionResult<R>) => void;
  pool: ThreadPool | null = null;
  id = 0;

  constructor(valid: ValidCall, resolve: (result: FunctionResult<R>) => void) {
    super(valid.timeoutMs);
    this.target = valid.target;
    this.args = valid.args;
    this.memoryLimitMb = valid.memoryLimitMb;
    this.signals = valid.signals;
    this.name = valid.name;
    this.fresh = valid.fresh;
    this.logger = valid.logger;
    this.#resolve = resolve;
  }

  /** What the host runs (target, args), what stops it, whose late errors it logs: all this call. */
  get request(): this {
    return this;
  }

  get callStop(): this {
    return this;
  }

  get owner(): this {
    return this;
  }

  /** Hands the call to its runtime; the clock starts when a thread or process takes it. */
  begin(): void {
    const { signals } = this;
    for (const signal of signals) {
      if (!signal.aborted) continue;
      this.cancel(signal.reason);
      return this.ended({ kind: 'aborted' });
    }
    // This call is the abort listener (handleEvent): no closure per call.
    for (const signal of signals) signal.addEventListener('abort', this, { once: true });
    const runtime = runtimeFor(this);
    if (runtime === threadPoolRuntime) submitToPool(this);
    else void runtime.run(this, this).then((ending) => this.ended(ending));
  }

  settle(reply: ThreadReply): void {
    settlePooled(this, reply);
  }

  onStopped(): void {
    stopPooled(this);
  }

  ended(ending: CallEnding): void {
    this.clearClock();
    for (const signal of this.signals) signal.removeEventListener('abort', this);
    this.#resolve(functionResult<R>(this, this, ending, this.#startTime, this.#started));
  }
}
