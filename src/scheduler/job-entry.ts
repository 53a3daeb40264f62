// One scheduled job: the AsyncJob the public API hands out (getJob, listJobs, runAll all
// return this very object, updated in place) plus the scheduler's bookkeeping for it —
// fn, args, limits, its place in the heap, its timer and the scope of the current run.
// One object per job rather than two: at 100,000 queued jobs, retained objects are what
// the garbage collector pays for. toJSON() shows only the AsyncJob fields.
// `attempt` identifies the current run: a settle from an older run (one that was timed
// out or cancelled and ignored it) is dropped.

import type { Scope } from '../task/scope.ts';
import type { HeapItem } from './job-heap.ts';
import { AsyncJobStatus, type AsyncJob } from './job-status.ts';
import { sharedDateNow } from './shared-date.ts';

export type JobFn = (...args: any[]) => Promise<unknown> | unknown;

export interface JobSettler {
  settleJob(entry: JobEntry, attempt: number, ok: boolean, outcome: unknown): void;
}

export class JobEntry implements AsyncJob, HeapItem {
  status: AsyncJobStatus = AsyncJobStatus.PENDING;
  result: unknown = null;
  error: string | null = null;
  readonly scheduledAt: Date = sharedDateNow();
  startedAt: Date | null = null;
  completedAt: Date | null = null;
  runs = 0;

  // Bookkeeping below: not part of AsyncJob.
  /** @internal Heap order: the priority, or with aging the priority plus queuedAt/agingMs. */
  key = 0;
  /** @internal */
  seq = 0;
  /** @internal performance.now() when it joined the queue, for queue-wait metrics. */
  queuedAt = 0;
  /** @internal performance.now() when the current run started. */
  runStartedAt = 0;
  /** @internal */
  attempt = 0;
  /** @internal The delay, retry-backoff or timeout timer, whichever is armed (never two at once). */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** @internal */
  scope: Scope | undefined = undefined;
  /** @internal Runs on a backend's workers: BullMQ queues, delays and retries it, not the heap. */
  remote = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly priority: number,
    readonly maxRuns: number,
    /** @internal */ readonly fn: JobFn,
    /** @internal */ readonly args: readonly unknown[],
    /** @internal */ readonly timeoutMs: number | undefined,
    /** @internal */ readonly retryDelayMs: number,
  ) {}

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
// and reports back with the attempt number it started with.
export async function executeJob(settler: JobSettler, entry: JobEntry, attempt: number): Promise<void> {
  let value: unknown;
  try {
    value = await entry.fn(...entry.args);
  } catch (error) {
    settler.settleJob(entry, attempt, false, error);
    return;
  }
  settler.settleJob(entry, attempt, true, value);
}
