// The scheduler's private record of one job: the public AsyncJob plus what it needs to
// run it (fn, args, limits), its place in the heap, its timer and the scope of the
// current attempt. `attempt` identifies the current run: a settle carrying an older
// attempt number (a run that was timed out or cancelled and ignored it) is dropped.
// The entry is itself the scope of the first attempt (one object less per job); a retry
// gets a fresh Scope, since the previous one may have been aborted by a timeout.

import { Scope } from '../task/scope.ts';
import type { HeapItem } from './job-heap.ts';
import type { AsyncJob } from './job-status.ts';

export type JobFn = (...args: any[]) => Promise<unknown> | unknown;

export interface JobSettler {
  settleJob(entry: JobEntry, attempt: number, ok: boolean, outcome: unknown): void;
}

export class JobEntry extends Scope implements HeapItem {
  key = 0;
  seq = 0;
  /** performance.now() when it joined the queue, for queue-wait metrics. */
  queuedAt = 0;
  /** performance.now() when the current attempt started. */
  runStartedAt = 0;
  attempt = 0;
  /** The delay, retry-backoff or timeout timer, whichever is armed (never two at once). */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  scope: Scope | undefined = undefined;

  constructor(
    readonly job: AsyncJob,
    readonly fn: JobFn,
    readonly args: readonly unknown[],
    readonly timeoutMs: number | undefined,
    readonly retryDelayMs: number,
  ) {
    super();
  }

  /** The scope for the run about to start (job.runs already counts it). */
  nextScope(): Scope {
    return this.job.runs === 1 ? this : new Scope();
  }

  clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

// One async frame per attempt, no closures: runs inside the attempt's scope (see
// runInScope) and reports back with the attempt number it started with.
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
