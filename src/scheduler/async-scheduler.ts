// AsyncScheduler: a priority job queue with bounded concurrency, retries, timeouts,
// delays, aging and cancellation (docs/API.md, "Scheduler"). This file is the
// public face: option checks, job ids, lookups, run modes and closing. Every state
// change of a job happens in job-runner.ts. A scheduler created inside a task or job
// is a child of it: the parent's abort cancels every job.

import type { Emitter, EventType } from 'mitt';
import { AbortError } from '../task/abort-reasons.ts';
import { linkToParents } from '../task/link-parent.ts';
import { currentSignal } from '../task/scope.ts';
import { defaultLogger, type ErgateLogger } from '../internal/logger.ts';
import { stampAt } from './job-clock.ts';
import { DEFAULT_JOB_OPTIONS, jobId, makeJobOptions, seqOfId, type JobFn } from './job-options.ts';
import { JobRunner } from './job-runner.ts';
import { PENDING, RUNNING, STATUS_NAMES, type AsyncJob, type AsyncJobStatus } from './job-status.ts';
import { JobStore } from './job-store.ts';
import { activeJobs, ranJobs } from './ran-jobs.ts';
import type { JobView } from './job-view.ts';
import type { SchedulerMetrics } from './scheduler-metrics.ts';
import { createScriptJob, type ScheduleScriptOptions } from './script-job.ts';
import {
  createFunctionJob,
  createRemoteScriptJob,
  type BuiltJob,
  type ScheduleFunctionOptions,
} from './backend-jobs.ts';
import { JobFailure } from './job-failure.ts';
import { RemoteBackend } from './remote-backend.ts';
import type { BackendOptions } from '../seam/backend-options.ts';
import type { FunctionRef } from '../function/types.ts';
import { EMPTY_OPTIONS, parseScheduleOptions, parseSchedulerOptions, parseStatusFilter } from './validate-options.ts';

export interface AsyncSchedulerOptions {
  /** Jobs running at once; a positive integer. @default 4 */
  maxConcurrency?: number;
  /** A mitt emitter; receives job.scheduled/started/completed/failed/cancelled/retrying. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any mitt emitter, whatever its event map
  eventBus?: Emitter<any>;
  /** A waiting job's priority improves by one per agingMs waited, so none starves. @default off */
  agingMs?: number;
  /** Aborting it cancels every job; the scheduler also inherits the enclosing task's scope. */
  signal?: AbortSignal;
  /** Not bound to the scope the scheduler is constructed in. @default false */
  detached?: boolean;
  /** Failed and cancelled jobs are logged here (pino-compatible). @default debuglog('ergate') */
  logger?: ErgateLogger;
  /**
   * Run scheduleScript/scheduleFunction jobs on `ergate worker`s through BullMQ/Redis: their
   * priority, maxRuns/retryDelayMs and delayMs become BullMQ's, and they hold no slot of
   * maxConcurrency (the workers' -j bounds them). schedule(fn) jobs stay in-process: jobs
   * carry no code. @default in-process
   */
  backend?: BackendOptions;
}

export interface ScheduleOptions {
  /** @default the function's name, else 'anonymous' */
  name?: string;
  args?: unknown[];
  /** Lower runs first; equal priorities run in scheduling order. @default 0 */
  priority?: number;
  /** Runs in all, retries included. @default 1 */
  maxRuns?: number;
  /** Per run: aborts the job's signal and fails the run with "timed out after N ms". */
  timeoutMs?: number;
  /** Wait before retry k (k = 1, 2, …): retryDelayMs * 2^(k-1). @default 0 */
  retryDelayMs?: number;
  /** The job joins the queue only after this delay; it is 'pending' meanwhile. @default 0 */
  delayMs?: number;
}

function dropUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export class AsyncScheduler {
  readonly metrics: SchedulerMetrics;
  readonly #runner: JobRunner;
  readonly #store = new JobStore();
  readonly #unlink: () => void;
  readonly #remote: RemoteBackend | null;
  #nextId = 0;
  #closedReason: unknown = undefined;
  /** One list per runAll() in progress: the jobs (their n) scheduled while it runs. */
  readonly #recorders = new Set<number[]>();
  /** Jobs clearFinished() forgot while a runAll() was in progress (its map still holds them). */
  readonly #forgotten = new Map<number, JobView>();
  /** The logger option, passed on to the scripts and calls of scheduleScript/scheduleFunction jobs. */
  readonly #logger: ErgateLogger | undefined;

  constructor(options?: AsyncSchedulerOptions) {
    const parsed = parseSchedulerOptions(options);
    this.#remote =
      parsed.backend === undefined ? null : new RemoteBackend(parsed.backend, 'AsyncScheduler options.backend');
    const bus = parsed.eventBus as Emitter<Record<EventType, unknown>> | undefined;
    this.#logger = parsed.logger;
    this.#runner = new JobRunner(
      this.#store,
      parsed.maxConcurrency ?? 4,
      parsed.agingMs,
      bus,
      parsed.logger ?? defaultLogger,
    );
    this.metrics = this.#runner.metrics;
    const constructedIn = parsed.detached === true ? undefined : currentSignal();
    this.#unlink = linkToParents([parsed.signal, constructedIn], (reason) => this.#cancelAll(reason));
  }

  /** Jobs pending: queued, delayed or waiting to retry. */
  get pendingCount(): number {
    return this.#runner.pending;
  }

  get runningCount(): number {
    return this.#runner.running;
  }

  schedule(fn: JobFn, options?: ScheduleOptions): string {
    const opts = parseScheduleOptions(fn, options);
    const seq = ++this.#nextId;
    const name = opts.name ?? (fn.name || 'anonymous');
    const jobOptions =
      opts === EMPTY_OPTIONS
        ? DEFAULT_JOB_OPTIONS
        : makeJobOptions(opts.args, opts.timeoutMs, opts.retryDelayMs, false);
    const now = performance.now();
    this.#store.add(seq, name, opts.priority ?? 0, opts.maxRuns ?? 1, fn, jobOptions, stampAt(now));
    if (this.#recorders.size > 0) for (const recorder of this.#recorders) recorder.push(seq);
    this.#runner.add(seq, opts.delayMs ?? 0, this.#closedReason, now);
    return jobId(seq);
  }

  /**
   * Schedules a Python script run (through the shared supervisor pool) as a job. The job's
   * result is the ScriptResult; it fails when the script's status is not 'passed'. Its
   * signal reaches the script: cancel() or a parent's abort kills the process group.
   */
  scheduleScript(scriptPath: string, options?: ScheduleScriptOptions): string {
    if (this.#remote) return this.#addRemote(createRemoteScriptJob(this.#remote, scriptPath, options));
    const { fn, jobOptions } = createScriptJob(scriptPath, this.#withLogger(options));
    return this.schedule(fn, jobOptions);
  }

  /**
   * Schedules a module export (a FunctionRef) run by runFunction in an isolated thread; with
   * a backend, on a worker, which imports the module from its own root (a plain function is
   * refused there: jobs carry no code). The job's result is the FunctionResult; it fails when
   * the call's status is not 'passed'. `args` must be JSON with a backend.
   */
  scheduleFunction(fn: FunctionRef, options?: ScheduleFunctionOptions): string {
    const built = createFunctionJob(this.#remote, fn, this.#remote ? options : this.#withLogger(options));
    if (this.#remote) return this.#addRemote(built);
    const run = built.run;
    return this.schedule(
      async function runFunctionJob() {
        const result = await run();
        if (result.status !== 'passed') throw new JobFailure(result.error ?? `function ${result.status}`, result);
        return result;
      },
      { name: built.name, ...dropUndefined(built.job) },
    );
  }

  /** The scheduler's logger for the script or call a job runs, unless the job names its own. */
  #withLogger<O extends { logger?: ErgateLogger }>(options: O | undefined): O | undefined {
    if (
      this.#logger === undefined ||
      (options !== undefined && (typeof options !== 'object' || options === null || options.logger !== undefined))
    )
      return options;
    return { ...(options ?? {}), logger: this.#logger } as O;
  }

  /** A job for the backend: BullMQ delays and retries it; this entry mirrors its state. */
  #addRemote(built: BuiltJob<{ status: string; error: string | null; attempts?: number }>): string {
    const seq = ++this.#nextId;
    const now = performance.now();
    const { run } = built;
    const store = this.#store;
    const fn = async function runRemoteJob(): Promise<unknown> {
      const result = await run();
      // Attempts are BullMQ's: a job retried there shows them as its runs.
      const slot = store.slotOf(seq);
      if (slot >= 0 && store.statuses[slot] === RUNNING)
        store.runs[slot] = Math.max(store.runs[slot], result.attempts ?? 1);
      if (result.status !== 'passed') throw new JobFailure(result.error ?? `job ${result.status}`, result);
      return result;
    };
    const options = makeJobOptions(undefined, undefined, 0, true);
    store.add(seq, built.name, built.job.priority ?? 0, built.job.maxRuns ?? 1, fn, options, stampAt(now));
    if (this.#recorders.size > 0) for (const recorder of this.#recorders) recorder.push(seq);
    this.#runner.add(seq, 0, this.#closedReason, now);
    return jobId(seq);
  }

  /**
   * Runs every pending job, including those scheduled meanwhile; never rejects because a job
   * failed. Returns what it ran, as the seed's run_all(): the jobs pending or running when it
   * was called and those scheduled while it ran, never a cancelled one (listJobs() has all).
   */
  async runAll(): Promise<Map<string, AsyncJob>> {
    const runner = this.#runner;
    const store = this.#store;
    const active = activeJobs(store);
    const later: number[] = [];
    this.#recorders.add(later);
    runner.runAlls++;
    try {
      runner.dispatch();
      await runner.idle.wait(runner.isIdle);
    } finally {
      runner.runAlls--;
      this.#recorders.delete(later);
    }
    const jobs = ranJobs(store, active, later, this.#forgotten);
    if (this.#recorders.size === 0) this.#forgotten.clear();
    return jobs;
  }

  /** Continuous mode: jobs run as they arrive, until stop() or close(). */
  start(): void {
    this.#runner.started = true;
    this.#runner.dispatch();
  }

  /** Leaves continuous mode: no new job starts (pending ones stay pending); waits for running jobs. */
  async stop(): Promise<void> {
    this.#runner.started = false;
    await this.#runner.idle.waitForNoneRunning(this.#runner.running === 0);
  }

  /** Resolves when nothing is pending or running. */
  onIdle(): Promise<void> {
    return this.#runner.idle.wait(this.#runner.isIdle);
  }

  /** Pending or running → 'cancelled' (a running job's signal is aborted, it is not waited for). */
  cancel(jobId: string): boolean {
    const slot = this.#slotOf(jobId);
    if (slot < 0) return false;
    const store = this.#store;
    const reason = new AbortError(`scheduler.cancel() was called for job '${store.spec(slot).name}'`);
    return this.#runner.cancel(store.seqs[slot], reason);
  }

  getJob(jobId: string): AsyncJob | undefined {
    const slot = this.#slotOf(jobId);
    return slot < 0 ? undefined : this.#store.view(slot);
  }

  listJobs(status?: AsyncJobStatus): AsyncJob[] {
    const filter = parseStatusFilter(status);
    const code = filter === undefined ? -1 : STATUS_NAMES.indexOf(filter);
    const store = this.#store;
    const jobs: AsyncJob[] = [];
    for (let slot = 0; slot < store.size; slot++)
      if (code < 0 || store.statuses[slot] === code) jobs.push(store.view(slot));
    return jobs;
  }

  /** Forgets finished jobs (so a long-running scheduler's memory stays bounded); returns how many. */
  clearFinished(): number {
    const { statuses } = this.#store;
    const keep = (slot: number): boolean => statuses[slot] === PENDING || statuses[slot] === RUNNING;
    // A runAll() in progress still returns the jobs it ran, forgotten or not.
    if (this.#recorders.size === 0) return this.#store.retain(keep);
    return this.#store.retain(keep, (seq, view) => this.#forgotten.set(seq, view));
  }

  #slotOf(jobId: string): number {
    const seq = seqOfId(jobId);
    return seq < 0 ? -1 : this.#store.slotOf(seq);
  }

  /** Cancels every pending and running job; jobs scheduled afterwards are cancelled at once. */
  async close(): Promise<void> {
    this.#runner.started = false;
    this.#cancelAll(new AbortError('the scheduler was closed'));
    // Cancelled remote jobs are removed from the queue or killed on their workers first.
    await this.#remote?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #cancelAll(reason: unknown): void {
    this.#closedReason ??= reason;
    // Undefined only when a parent was already aborted inside the constructor.
    this.#unlink?.();
    // By n, not slot: a cancelled job's handler may call clearFinished(), which moves slots.
    const store = this.#store;
    for (const seq of store.seqs.slice(0, store.size)) this.#runner.cancel(seq, reason);
    this.#runner.clearQueue();
  }
}
