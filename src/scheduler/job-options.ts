// A job's function, name and the options most jobs leave at their defaults, and the job id format.
// Invariant: a job that sets none of args, timeoutMs, retryDelayMs or remote shares the one
// frozen DEFAULT_JOB_OPTIONS (at 100,000 queued jobs, an object per job is paid for in GC).

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the contract: a job takes any arguments
export type JobFn = (...args: any[]) => unknown;

/** The options of a job that most jobs leave at their defaults (shared then). */
export class JobOptions {
  constructor(
    readonly args: readonly unknown[],
    readonly timeoutMs: number | undefined,
    readonly retryDelayMs: number,
    /** Runs on a backend's workers: BullMQ queues, delays and retries it, not the queue. */
    readonly remote: boolean,
  ) {}
}

/**
 * What a job runs and how: shared by consecutive jobs that schedule the same function with
 * the same name, maxRuns and options (the job store keeps the last one), so a stream of
 * like jobs costs no object per job.
 */
export class JobSpec {
  constructor(
    readonly fn: JobFn,
    readonly name: string,
    readonly maxRuns: number,
    readonly options: JobOptions,
  ) {}
}

const NO_ARGS: readonly unknown[] = Object.freeze([]);
export const DEFAULT_JOB_OPTIONS = Object.freeze(new JobOptions(NO_ARGS, undefined, 0, false));

export function jobId(seq: number): string {
  return `job-${seq}`;
}

const PREFIX = 'job-';

/** The n of an id `job-<n>` written exactly that way, else -1. */
export function seqOfId(id: unknown): number {
  if (typeof id !== 'string' || !id.startsWith(PREFIX)) return -1;
  const n = Number(id.slice(PREFIX.length));
  // The same number written another way ('job-01', 'job-1.0') is not a job's id.
  return Number.isSafeInteger(n) && n > 0 && jobId(n) === id ? n : -1;
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
