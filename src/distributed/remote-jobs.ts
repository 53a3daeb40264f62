// RemoteJobs: single jobs (one script, one FunctionRef) sent to `ergate worker`s through BullMQ,
// for AsyncScheduler's backend option and runRemoteFunction. The job's priority, maxRuns and
// retryDelayMs, delayMs become BullMQ's priority, attempts + exponential backoff and delay;
// its timeoutMs is the script's (or function's) own limit, applied on the worker. Invariant:
// each submitted job is awaited to a final state or cancelled (removed while waiting, killed
// on its worker while running), and close() waits for those (bounded) before disconnecting.
import { bareCancelReason, describeAbortedSignal } from '../internal/cancellation.ts';
import type { FunctionRef, FunctionResult, RunFunctionOptions } from '../function/types.ts';
import { errorResult } from '../script/script-result.ts';
import type { ScriptResult, ScriptSpec } from '../script/types.ts';
import { toFunctionJobData, type FunctionJobData } from '../seam/function-job-data.ts';
import type { EnvRule } from '../seam/backend-seam.ts';
import { FUNCTION_JOB, functionError, toFunctionResult } from './function-job.ts';
import { toJobData } from './job-payload.ts';
import { toScriptResult } from './job-result.ts';
import type { FinishedJob } from './finished-job.ts';
import { scriptJobId } from './queue-names.ts';
import { RedisBackend } from './redis-backend.ts';
import {
  checkRemoteJobOptions,
  MAX_REMOTE_PRIORITY,
  type BackendOptions,
  type RemoteJobOptions,
} from '../seam/backend-options.ts';

/** close() waits at most this long for cancelled jobs to settle on their workers. */
const CLOSE_WAIT_MS = 10_000;

/** Lower first, like BullMQ (1 is its highest): 0 maps to the middle of BullMQ's range. */
function toBullPriority(priority = 0): number {
  return MAX_REMOTE_PRIORITY + 1 + priority;
}

/** The abort's bare reason: the worker words it as "cancelled: <reason>" (../internal/cancellation.ts). */
function reasonOf(signal: AbortSignal): string {
  return bareCancelReason(signal.reason);
}

export class RemoteJobs {
  readonly backend: RedisBackend;
  #runId: string | null = null;
  #next = 0;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: BackendOptions | undefined, optionName = 'backend') {
    this.backend = new RedisBackend(options, optionName);
  }

  get root(): string {
    return this.backend.root;
  }

  /** Runs a script (a spec resolved by the caller) on a worker; resolves with its ScriptResult. */
  runScript(spec: ScriptSpec, job: RemoteJobOptions = {}, envRule?: EnvRule): Promise<ScriptResult> {
    return this.#track(
      this.#submit(
        (runId, index) => toJobData(spec, this.root, runId, index, envRule),
        'script',
        job,
        (finished) => toScriptResult(finished, spec.script),
        (message, status) => errorResult(spec.script, message, status),
      ),
    );
  }

  /** Checks a FunctionRef and its options now (TypeError), and returns what runs it later. */
  prepareFunction(
    fn: FunctionRef,
    options: RunFunctionOptions,
    what: string,
  ): (job?: RemoteJobOptions) => Promise<FunctionResult<unknown>> {
    const data = toFunctionJobData(fn, options, this.root, '', 0, what);
    const name = data.name ?? data.export;
    return (job = {}) =>
      this.#track(
        this.#submit(
          (runId, index): FunctionJobData => ({ ...data, runId, index }),
          FUNCTION_JOB,
          { ...job, signal: job.signal ?? options.signal },
          (finished) => toFunctionResult(finished, name),
          (message, status) => functionError(name, message, status),
        ),
      );
  }

  async #submit<R>(
    build: (runId: string, index: number) => Parameters<RedisBackend['submit']>[1],
    name: string,
    job: RemoteJobOptions,
    toResult: (finished: FinishedJob) => R,
    failed: (message: string, status: 'error' | 'cancelled') => R,
  ): Promise<R> {
    const { signal } = job;
    const cancelled = (): R => failed(describeAbortedSignal(signal), 'cancelled');
    if (signal?.aborted) return cancelled();
    await this.backend.connect();
    if (signal?.aborted) return cancelled();
    this.#runId ??= this.backend.newRunId();
    const index = this.#next++;
    let data;
    try {
      data = build(this.#runId, index);
    } catch (error) {
      return failed((error as Error).message, 'error');
    }
    const jobId = scriptJobId(this.#runId, index);
    const { added, finished } = this.backend.submit(jobId, data, (job.maxRuns ?? 1) - 1, {
      name,
      priority: toBullPriority(job.priority),
      ...(job.retryDelayMs && { backoffMs: job.retryDelayMs }),
      ...(job.delayMs && { delayMs: job.delayMs }),
    });
    try {
      await added;
    } catch (error) {
      return failed(`could not queue the job on ${this.backend.target.display}: ${(error as Error).message}`, 'error');
    }
    const onAbort = (): void => void this.backend.cancelJob(jobId, reasonOf(signal!), finished);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await finished;
      if (result === null && signal?.aborted) return cancelled();
      return toResult(result);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #track<R>(promise: Promise<R>): Promise<R> {
    this.#inFlight.add(promise);
    const forget = (): void => void this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Waits (bounded) for jobs in flight, e.g. cancelled ones being killed, then disconnects. */
  async close(): Promise<void> {
    if (this.#inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(this.#inFlight),
        new Promise((resolve) => {
          timer = setTimeout(resolve, CLOSE_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    await this.backend.close();
  }
}

/**
 * Runs a module's export on an `ergate worker` (jobs carry no code: a FunctionRef, never a
 * function). The module is resolved on the worker against its --root; `args` must be JSON.
 * @throws TypeError (rejects) for a plain function or bad options; Error when Redis is unreachable
 */
export async function runRemoteFunction<R = unknown>(
  fn: FunctionRef,
  options: RunFunctionOptions & RemoteJobOptions,
  backend: BackendOptions,
): Promise<FunctionResult<R> & { attempts: number; worker?: string }> {
  const jobs = new RemoteJobs(backend, 'runRemoteFunction backend');
  try {
    const { priority, maxRuns, retryDelayMs, delayMs, ...callOptions } = options ?? {};
    const run = jobs.prepareFunction(fn, callOptions, 'runRemoteFunction');
    checkRemoteJobOptions({ priority, maxRuns, retryDelayMs, delayMs }, 'runRemoteFunction options');
    return (await run({ priority, maxRuns, retryDelayMs, delayMs })) as FunctionResult<R> & { attempts: number };
  } finally {
    await jobs.close();
  }
}
