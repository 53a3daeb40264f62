// The engine under AsyncScheduler: the priority queue, the concurrency limit and every
// state change of a job once it exists (queued → running → completed | failed | retry |
// cancelled), with its events and metrics. Invariants: `pending` and `running` always
// equal the number of jobs in those states; a run ends exactly once (settle, timeout or
// cancel, whichever comes first), and a run that ended is never waited for.

import type { Emitter, EventType } from 'mitt';
import { TimeoutError, describeCancellation } from '../task/abort-reasons.ts';
import { timedOutAfter } from '../internal/cancellation.ts';
import { isLogging, logFailure, type ErgateLogger } from '../internal/logger.ts';
import { describeError } from '../task/execution-result.ts';
import { runInScope } from '../task/scope.ts';
import { emitEvent, hasListeners, type SchedulerEvent } from './emit-event.ts';
import { IdleWaiters } from './idle-waiters.ts';
import { JobEntry, RunScope, executeJob, type JobSettler } from './job-entry.ts';
import { JobFailure } from './job-failure.ts';
import { JobQueue } from './job-queue.ts';
import { AsyncJobStatus } from './job-status.ts';
import { SchedulerMetricsTracker } from './scheduler-metrics.ts';

export class JobRunner implements JobSettler {
  readonly metrics = new SchedulerMetricsTracker();
  readonly idle = new IdleWaiters();
  readonly #queue = new JobQueue<JobEntry>();
  /** Remote jobs due to be sent: the queue in Redis orders them, the workers' -j bounds them. */
  #remoteDue: JobEntry[] = [];
  /** performance.now() when each of #remoteDue became due. */
  #remoteDueAt: number[] = [];
  pending = 0;
  running = 0;
  /** Of `running`, the remote jobs (they hold no local slot). */
  remoteRunning = 0;
  /** Continuous mode (start()) is on. */
  started = false;
  /** runAll() calls in progress; jobs are dispatched while this or `started` holds. */
  runAlls = 0;
  #dispatching = false;

  constructor(
    readonly limit: number,
    readonly agingMs: number | undefined,
    readonly bus: Emitter<Record<EventType, unknown>> | undefined,
    readonly logger: ErgateLogger,
  ) {}

  get isIdle(): boolean {
    return this.pending === 0 && this.running === 0;
  }

  /** A new job: counted as pending, then queued now or after delayMs (or cancelled at once, given a reason). */
  add(entry: JobEntry, delayMs: number, cancelReason: unknown, now: number): void {
    this.metrics.jobsScheduled++;
    this.pending++;
    if (this.bus !== undefined) this.#emit('job.scheduled', entry, { priority: entry.priority });
    if (cancelReason === undefined) this.#enqueueAfter(entry, delayMs, now);
    else this.cancel(entry, cancelReason);
  }

  /** Puts a pending job in the queue; called directly or by its delay/backoff timer. */
  enqueue(entry: JobEntry, now = performance.now()): void {
    entry.timer = undefined;
    if (entry.options.remote) {
      this.#remoteDue.push(entry);
      this.#remoteDueAt.push(now);
      this.dispatch(now);
      return;
    }
    // Aging as a fixed key: priority - (t - queuedAt)/agingMs orders jobs the same way at
    // every t, so the queue never needs re-sorting as jobs wait.
    const key = this.agingMs === undefined ? entry.priority : entry.priority + now / this.agingMs;
    this.#queue.push(entry, key, now);
    if (this.#dispatchable) this.dispatch(now);
  }

  /** Starts queued jobs while slots are free. `now`: performance.now(), when the caller has just read it. */
  dispatch(now = -1): void {
    // A job that throws synchronously settles inside #startRun, whose settle dispatches
    // again: the guard turns that recursion (100,000 deep = stack overflow) into the loop below.
    if (this.#dispatching || !this.#dispatchable) return;
    this.#dispatching = true;
    // One clock read per dispatch, not per job: jobs started in one loop start together.
    if (now < 0) now = performance.now();
    try {
      const queue = this.#queue;
      while (this.#dispatchable) {
        if (this.#remoteDue.length > 0) {
          const due = this.#remoteDue;
          const dueAt = this.#remoteDueAt;
          this.#remoteDue = [];
          this.#remoteDueAt = [];
          for (let i = 0; i < due.length; i++)
            if (due[i].status === AsyncJobStatus.PENDING) this.#startRun(due[i], dueAt[i], now);
          continue;
        }
        if (this.running - this.remoteRunning >= this.limit) return;
        const entry = queue.pop();
        if (entry === undefined) return;
        // Lazy removal: a job cancelled while queued is skipped here.
        if (entry.status === AsyncJobStatus.PENDING) this.#startRun(entry, queue.poppedTime, now);
      }
    } finally {
      this.#dispatching = false;
    }
  }

  get #dispatchable(): boolean {
    return this.started || this.runAlls > 0;
  }

  settleJob(entry: JobEntry, run: RunScope, ok: boolean, outcome: unknown): void {
    if (entry.run !== run) return;
    const now = this.#endRun(entry, run);
    const job = entry;
    if (ok) {
      job.status = AsyncJobStatus.COMPLETED;
      job.result = outcome;
      job.error = null;
      entry.markCompleted(now);
      this.metrics.jobsCompleted++;
      this.metrics.recordFinish(now);
      if (this.bus !== undefined) this.#emit('job.completed', entry, { durationMs: now - run.startedAt });
    } else {
      // A JobFailure still carries a result worth keeping (a failed script's ScriptResult).
      if (outcome instanceof JobFailure) job.result = outcome.result;
      this.#failRun(entry, describeError(outcome).message, now, run.startedAt);
    }
    this.#afterRun(now);
  }

  /** Called by the timeout timer: the run fails now and is not waited for. */
  timeOut(entry: JobEntry, run: RunScope): void {
    if (entry.run !== run) return;
    entry.timer = undefined;
    const error = new TimeoutError(timedOutAfter(entry.options.timeoutMs!));
    const now = this.#endRun(entry, run);
    run.abort(error);
    this.#failRun(entry, error.message, now, run.startedAt);
    this.#afterRun(now);
  }

  /** Cancels a pending or running job; false when it already finished. */
  cancel(entry: JobEntry, reason: unknown): boolean {
    const { status } = entry;
    let now: number;
    if (status === AsyncJobStatus.PENDING) {
      entry.clearTimer();
      this.pending--;
      now = performance.now();
      this.#finishCancelled(entry, reason, 0, now);
    } else if (status === AsyncJobStatus.RUNNING) {
      const run = entry.run!;
      now = this.#endRun(entry, run);
      this.#finishCancelled(entry, reason, now - run.startedAt, now);
      run.abort(reason);
    } else {
      return false;
    }
    this.#afterRun(now);
    return true;
  }

  /** Forgets every queued entry (all of them are cancelled by then). */
  clearQueue(): void {
    this.#queue.clear();
    this.#remoteDue = [];
    this.#remoteDueAt = [];
  }

  #startRun(entry: JobEntry, queuedAt: number, now: number): void {
    const job = entry;
    const { options } = entry;
    this.pending--;
    this.running++;
    if (options.remote) this.remoteRunning++;
    job.status = AsyncJobStatus.RUNNING;
    job.runs++;
    entry.markStarted(now);
    this.metrics.recordStart(now - queuedAt, now);
    const run = new RunScope(now, entry, this);
    entry.run = run;
    if (this.bus !== undefined) {
      this.#emit('job.started', entry, { attempt: job.runs });
      // A handler may have cancelled it: then it never starts.
      if (entry.run !== run) return;
    }
    if (options.timeoutMs !== undefined) entry.timer = setTimeout(timeOutRun, options.timeoutMs, this, entry, run);
    // executeJob never throws: every outcome is reported through settleJob.
    runInScope(run, executeJob, run);
  }

  #failRun(entry: JobEntry, error: string, now: number, runStartedAt: number): void {
    const job = entry;
    job.error = error;
    // A remote job's retries were BullMQ's attempts: it is final here.
    if (job.runs < job.maxRuns && !entry.options.remote) {
      const delayMs = entry.options.retryDelayMs * 2 ** (job.runs - 1);
      job.status = AsyncJobStatus.PENDING;
      this.pending++;
      this.metrics.jobsRetried++;
      if (this.bus !== undefined) this.#emit('job.retrying', entry, { attempt: job.runs, error, delayMs });
      this.#enqueueAfter(entry, delayMs, now);
      return;
    }
    job.status = AsyncJobStatus.FAILED;
    entry.markCompleted(now);
    this.metrics.jobsFailed++;
    this.metrics.recordFinish(now);
    if (isLogging(this.logger))
      logFailure(this.logger, {
        event: 'job.end',
        name: entry.name,
        status: 'failed',
        durationMs: now - runStartedAt,
        error,
      });
    if (this.bus !== undefined) this.#emit('job.failed', entry, { error, durationMs: now - runStartedAt });
  }

  #finishCancelled(entry: JobEntry, reason: unknown, durationMs: number, now: number): void {
    const job = entry;
    job.status = AsyncJobStatus.CANCELLED;
    job.error = describeCancellation(reason);
    entry.markCompleted(now);
    this.metrics.jobsCancelled++;
    if (isLogging(this.logger))
      logFailure(this.logger, {
        event: 'job.end',
        name: entry.name,
        status: 'cancelled',
        durationMs,
        error: job.error,
      });
    if (this.bus !== undefined) this.#emit('job.cancelled', entry, { error: job.error });
  }

  #enqueueAfter(entry: JobEntry, delayMs: number, now: number): void {
    if (delayMs > 0) entry.timer = setTimeout(enqueueDue, delayMs, this, entry);
    else this.enqueue(entry, now);
  }

  /** Ends the current run's bookkeeping; returns performance.now(). */
  #endRun(entry: JobEntry, run: RunScope): number {
    const now = performance.now();
    entry.clearTimer();
    entry.run = undefined;
    this.running--;
    if (entry.options.remote) this.remoteRunning--;
    this.metrics.totalExecutionTimeMs += now - run.startedAt;
    return now;
  }

  #afterRun(now = -1): void {
    this.dispatch(now);
    if (this.running === 0) this.idle.noneRunning(this.isIdle);
  }

  #emit(type: SchedulerEvent, entry: JobEntry, extra: Record<string, unknown>): void {
    const bus = this.bus!;
    if (!hasListeners(bus, type)) return;
    emitEvent(bus, type, { jobId: entry.id, jobName: entry.name, ...extra });
  }
}

function enqueueDue(runner: JobRunner, entry: JobEntry): void {
  if (entry.status === AsyncJobStatus.PENDING) runner.enqueue(entry);
}

function timeOutRun(runner: JobRunner, entry: JobEntry, run: RunScope): void {
  runner.timeOut(entry, run);
}
