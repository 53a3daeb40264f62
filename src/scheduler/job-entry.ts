// One scheduled job: the AsyncJob the public API hands out (getJob, listJobs, runAll all
// return this very object, updated in place) plus the little bookkeeping the scheduler
// keeps on it. One object per job rather than two, and as few fields as possible: at
// 100,000 queued jobs every retained field is copied by each young-generation GC
// (measured at 100,000 queued jobs: 23 fields → 15 took 256 → 174 heap bytes per
// pending job and the CPU time of scheduling them from ~135 to ~96 ms). So the rarely set
// options share one frozen JobOptions unless the job sets one, the heap keeps the
// queue order and enqueue time, and the current run's start time lives on its scope.
// Its Dates are its own: stamped as numbers, turned into a Date on first read (a Date per
// job per state change would cost ~20% of throughput). toJSON() shows the AsyncJob fields.

import { Scope } from '../task/scope.ts';
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
/** Job times are stored as ms since this (integers that fit a small integer for ~24 days). */
const EPOCH = Date.now();
export const DEFAULT_JOB_OPTIONS = Object.freeze(new JobOptions(NO_ARGS, undefined, 0, false));

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
 * The scope of one run: its signal (currentSignal() inside the job) and its start time.
 * It also identifies the run: a settle or timeout carrying a scope that is no longer the
 * job's current run (it was timed out or cancelled and ignored that) is dropped.
 */
export class RunScope extends Scope {
  constructor(readonly startedAt: number) {
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
  #scheduledAt: number | Date = Date.now() - EPOCH;
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
    readonly id: string,
    readonly name: string,
    readonly priority: number,
    readonly maxRuns: number,
    /** @internal */ readonly fn: JobFn,
    /** @internal */ readonly options: JobOptions,
  ) {}

  get scheduledAt(): Date {
    const at = this.#scheduledAt;
    return typeof at === 'number' ? (this.#scheduledAt = new Date(EPOCH + at)) : at;
  }

  /** When the first run started. */
  get startedAt(): Date | null {
    const at = this.#startedAt;
    return typeof at === 'number' ? (this.#startedAt = new Date(EPOCH + at)) : at;
  }

  get completedAt(): Date | null {
    const at = this.#completedAt;
    return typeof at === 'number' ? (this.#completedAt = new Date(EPOCH + at)) : at;
  }

  /** @internal Stamps the start of the first run (later runs keep it). */
  markStarted(): void {
    if (this.#startedAt === null) this.#startedAt = Date.now() - EPOCH;
  }

  /** @internal Stamps the final state (completed, failed or cancelled). */
  markCompleted(): void {
    this.#completedAt = Date.now() - EPOCH;
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

// One async frame per run, no closures: runs inside the run's scope (see runInScope)
// and reports back with the run it started as.
export async function executeJob(settler: JobSettler, entry: JobEntry, run: RunScope): Promise<void> {
  let value: unknown;
  try {
    const { args } = entry.options;
    value = await (args.length === 0 ? entry.fn() : entry.fn(...args));
  } catch (error) {
    settler.settleJob(entry, run, false, error);
    return;
  }
  settler.settleJob(entry, run, true, value);
}
