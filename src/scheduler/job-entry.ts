// One scheduled job: the AsyncJob the public API hands out (getJob, listJobs, runAll all
// return this very object, updated in place) plus the little bookkeeping the scheduler
// keeps on it, and executeJob, which starts one run of it. One object per job and as few
// fields as possible: at 100,000 queued jobs every retained byte is copied by the
// young-generation GC. So the rarely set options share one frozen JobOptions unless the job
// sets one, the heap keeps the queue order and enqueue time, the current run's start time
// lives on its scope, the id is made from the job's number when read, and times are small
// integers (ms since module load) turned into the job's own Date on first read.
// toJSON() shows the AsyncJob fields.

import { currentScope } from '../internal/current-scope.ts';
import { Scope } from '../task/scope.ts';
import { dateOf, stampAt } from './job-clock.ts';
import { AsyncJobStatus, type AsyncJob } from './job-status.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the contract: a job takes any arguments
export type JobFn = (...args: any[]) => unknown;

/** The options of a job that most jobs leave at their defaults (shared then). */
export class JobOptions {
  constructor(
    readonly args: readonly unknown[],
    readonly timeoutMs: number | undefined,
    readonly retryDelayMs: number,
    /** Runs on a backend's workers: BullMQ queues, delays and retries it, not the heap. */
    readonly remote: boolean,
  ) {}
}

const NO_ARGS: readonly unknown[] = Object.freeze([]);
export const DEFAULT_JOB_OPTIONS = Object.freeze(new JobOptions(NO_ARGS, undefined, 0, false));

export function jobId(seq: number): string {
  return `job-${seq}`;
}

/** One options object per job only when it sets something. */
export function makeJobOptions(
  args: readonly unknown[] | undefined,
  timeoutMs: number | undefined,
  retryDelayMs: number | undefined,
  remote: boolean,
): JobOptions {
  if (args === undefined && timeoutMs === undefined && !retryDelayMs && !remote) return DEFAULT_JOB_OPTIONS;
  return new JobOptions(args ?? NO_ARGS, timeoutMs, retryDelayMs ?? 0, remote);
}

/**
 * The scope of one run: its signal (currentSignal() inside the job), its start time, and
 * the job and runner it reports to. It also identifies the run: a settle or timeout
 * carrying a scope that is no longer the job's current run (it was timed out or cancelled
 * and ignored that) is dropped.
 */
export class RunScope extends Scope {
  constructor(
    readonly startedAt: number,
    readonly entry: JobEntry,
    readonly settler: JobSettler,
  ) {
    super();
  }
}

export interface JobSettler {
  settleJob(entry: JobEntry, run: RunScope, ok: boolean, outcome: unknown): void;
}

export class JobEntry implements AsyncJob {
  status: AsyncJobStatus = AsyncJobStatus.PENDING;
  result: unknown = null;
  error: string | null = null;
  runs = 0;
  // Ms since EPOCH until first read (a small integer, kept without a heap number), then this job's own Date.
  #scheduledAt: number | Date;
  #startedAt: number | Date | null = null;
  #completedAt: number | Date | null = null;

  // Bookkeeping below: not part of AsyncJob.
  /** @internal The current run while status is 'running'. */
  run: RunScope | undefined = undefined;
  /** @internal The delay, retry-backoff or timeout timer, whichever is armed (never two at once). */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    /** @internal The n of its id `job-<n>` (the job table's order). */
    readonly seq: number,
    readonly name: string,
    readonly priority: number,
    readonly maxRuns: number,
    /** @internal */ readonly fn: JobFn,
    /** @internal */ readonly options: JobOptions,
    /** performance.now() when it was scheduled. */
    now: number,
  ) {
    this.#scheduledAt = stampAt(now);
  }

  /** `job-<n>`, made when read: most jobs' ids are never read after schedule() returned one. */
  get id(): string {
    return jobId(this.seq);
  }

  get scheduledAt(): Date {
    const at = this.#scheduledAt;
    return typeof at === 'number' ? (this.#scheduledAt = dateOf(at)) : at;
  }

  /** When the first run started. */
  get startedAt(): Date | null {
    const at = this.#startedAt;
    return typeof at === 'number' ? (this.#startedAt = dateOf(at)) : at;
  }

  get completedAt(): Date | null {
    const at = this.#completedAt;
    return typeof at === 'number' ? (this.#completedAt = dateOf(at)) : at;
  }

  /** @internal Stamps the start of the first run (later runs keep it); `now` is performance.now(). */
  markStarted(now: number): void {
    if (this.#startedAt === null) this.#startedAt = stampAt(now);
  }

  /** @internal Stamps the final state (completed, failed or cancelled); `now` is performance.now(). */
  markCompleted(now: number): void {
    this.#completedAt = stampAt(now);
  }

  clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  toJSON(): AsyncJob {
    const { id, name, priority, status, result, error, scheduledAt, startedAt, completedAt, maxRuns, runs } = this;
    return { id, name, priority, status, result, error, scheduledAt, startedAt, completedAt, maxRuns, runs };
  }
}

// Starts one run; called inside the run's scope (see runInScope), so every promise the job
// creates, and the then() below, carry the run as their scope. A native promise (the usual
// job) is followed with one then() whose handlers are shared functions that find their run
// as the current scope: no async frame, no closures per run (at 100,000 jobs each promise
// and closure is paid in allocation and promise-hook calls). Anything else is awaited.
export function executeJob(run: RunScope): void {
  const { entry } = run;
  let value: unknown;
  try {
    const { args } = entry.options;
    value = args.length === 0 ? entry.fn() : entry.fn(...args);
  } catch (error) {
    run.settler.settleJob(entry, run, false, error);
    return;
  }
  if (value instanceof Promise && value.constructor === Promise) value.then(settleFulfilled, settleRejected);
  else void settleAwaited(run, value);
}

function settleFulfilled(value: unknown): void {
  const run = currentScope() as RunScope;
  run.settler.settleJob(run.entry, run, true, value);
}

function settleRejected(error: unknown): void {
  const run = currentScope() as RunScope;
  run.settler.settleJob(run.entry, run, false, error);
}

async function settleAwaited(run: RunScope, value: unknown): Promise<void> {
  let result: unknown;
  try {
    result = await value;
  } catch (error) {
    run.settler.settleJob(run.entry, run, false, error);
    return;
  }
  run.settler.settleJob(run.entry, run, true, result);
}
