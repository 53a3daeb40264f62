// The engine under AsyncScheduler: the queue, the concurrency limit and every state change
// of a job (queued → running → completed | failed | retry | cancelled), with its events and
// metrics. A job is its n here (`job-<n>`), its state in the columns of job-store.ts; its slot
// is looked up again after any call out (a handler may call clearFinished(), moving slots).
// Invariants: `pending` and `running` equal the jobs in those states; a run ends exactly once
// (settle, timeout or cancel, whichever first), and a run that ended is never waited for.

import type { Emitter, EventType } from 'mitt';
import { TimeoutError, describeCancellation } from '../task/abort-reasons.ts';
import { timedOutAfter } from '../internal/cancellation.ts';
import { isLogging, logFailure, type ErgateLogger } from '../internal/logger.ts';
import { describeError } from '../task/execution-result.ts';
import { runInScope } from '../task/scope.ts';
import { emitEvent, hasListeners, type SchedulerEvent } from './emit-event.ts';
import { IdleWaiters } from './idle-waiters.ts';
import { stampAt } from './job-clock.ts';
import { jobId } from './job-options.ts';
import { RunScope, executeJob, type JobSettler } from './job-run.ts';
import { JobFailure } from './job-failure.ts';
import { JobQueue } from './job-queue.ts';
import { CANCELLED, COMPLETED, FAILED, PENDING, RUNNING } from './job-status.ts';
import type { JobStore } from './job-store.ts';
import { SchedulerMetricsTracker } from './scheduler-metrics.ts';

export class JobRunner implements JobSettler {
  readonly metrics = new SchedulerMetricsTracker();
  readonly idle = new IdleWaiters();
  readonly #queue = new JobQueue<number>();
  /** Delay and retry-backoff timers of pending jobs, by n. */
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Remote jobs due to be sent: the queue in Redis orders them, the workers' -j bounds them. */
  #remoteDue: number[] = [];
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
    readonly store: JobStore,
    readonly limit: number,
    readonly agingMs: number | undefined,
    readonly bus: Emitter<Record<EventType, unknown>> | undefined,
    readonly logger: ErgateLogger,
  ) {}

  get isIdle(): boolean {
    return this.pending === 0 && this.running === 0;
  }

  /** A new job: counted as pending, then queued now or after delayMs (or cancelled at once, given a reason). */
  add(seq: number, delayMs: number, cancelReason: unknown, now: number): void {
    this.metrics.jobsScheduled++;
    this.pending++;
    if (this.bus !== undefined) {
      const slot = this.store.slotOf(seq);
      this.#emit('job.scheduled', seq, this.store.spec(slot).name, { priority: this.store.priorities[slot] });
    }
    if (cancelReason === undefined) this.#enqueueAfter(seq, delayMs, now);
    else this.cancel(seq, cancelReason);
  }

  /** Puts a pending job in the queue; called directly or by its delay/backoff timer. */
  enqueue(seq: number, now = performance.now()): void {
    const store = this.store;
    const slot = store.slotOf(seq);
    if (store.spec(slot).options.remote) {
      this.#remoteDue.push(seq);
      this.#remoteDueAt.push(now);
      this.dispatch(now);
      return;
    }
    // Aging as a fixed key: priority - (t - queuedAt)/agingMs orders jobs the same way at
    // every t, so the queue never needs re-sorting as jobs wait.
    const priority = store.priorities[slot];
    this.#queue.push(seq, this.agingMs === undefined ? priority : priority + now / this.agingMs, now);
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
      const store = this.store;
      while (this.#dispatchable) {
        if (this.#remoteDue.length > 0) {
          const due = this.#remoteDue;
          const dueAt = this.#remoteDueAt;
          this.#remoteDue = [];
          this.#remoteDueAt = [];
          for (let i = 0; i < due.length; i++) this.#startIfPending(due[i], dueAt[i], now);
          continue;
        }
        if (this.running - this.remoteRunning >= this.limit) return;
        const seq = queue.pop();
        if (seq === undefined) return;
        // Lazy removal: a job cancelled (or cancelled and forgotten) while queued is skipped here.
        const slot = store.slotOf(seq);
        if (slot >= 0 && store.statuses[slot] === PENDING) this.#startRun(seq, slot, queue.poppedTime, now);
      }
    } finally {
      this.#dispatching = false;
    }
  }

  get #dispatchable(): boolean {
    return this.started || this.runAlls > 0;
  }

  settleJob(run: RunScope, ok: boolean, outcome: unknown): void {
    const store = this.store;
    const slot = store.slotOf(run.seq);
    if (slot < 0 || store.scope(slot) !== run) return;
    const now = this.#endRun(slot, run);
    if (ok) {
      store.statuses[slot] = COMPLETED;
      store.setResult(slot, outcome);
      store.setError(run.seq, null);
      store.completedAt[slot] = stampAt(now);
      this.metrics.jobsCompleted++;
      this.metrics.recordFinish(now);
      if (this.bus !== undefined)
        this.#emit('job.completed', run.seq, store.spec(slot).name, { durationMs: now - run.startedAt });
    } else {
      // A JobFailure still carries a result worth keeping (a failed script's ScriptResult).
      if (outcome instanceof JobFailure) store.setResult(slot, outcome.result);
      this.#failRun(run.seq, slot, describeError(outcome).message, now, run.startedAt);
    }
    this.#afterRun(now);
  }

  /** Called by the timeout timer: the run fails now and is not waited for. */
  timeOut(run: RunScope): void {
    const store = this.store;
    const slot = store.slotOf(run.seq);
    if (slot < 0 || store.scope(slot) !== run) return;
    run.timer = undefined;
    const error = new TimeoutError(timedOutAfter(store.spec(slot).options.timeoutMs!));
    const now = this.#endRun(slot, run);
    run.abort(error);
    this.#failRun(run.seq, store.slotOf(run.seq), error.message, now, run.startedAt);
    this.#afterRun(now);
  }

  /** Cancels a pending or running job; false when it already finished (or is unknown). */
  cancel(seq: number, reason: unknown): boolean {
    const store = this.store;
    const slot = store.slotOf(seq);
    if (slot < 0) return false;
    const status = store.statuses[slot];
    let now: number;
    if (status === PENDING) {
      this.#clearDelay(seq);
      this.pending--;
      now = performance.now();
      this.#finishCancelled(seq, slot, reason, 0, now);
    } else if (status === RUNNING) {
      const run = store.scope(slot)!;
      now = this.#endRun(slot, run);
      this.#finishCancelled(seq, slot, reason, now - run.startedAt, now);
      run.abort(reason);
    } else {
      return false;
    }
    this.#afterRun(now);
    return true;
  }

  /** Forgets every queued job (all of them are cancelled by then). */
  clearQueue(): void {
    this.#queue.clear();
    this.#remoteDue = [];
    this.#remoteDueAt = [];
  }

  #startIfPending(seq: number, queuedAt: number, now: number): void {
    const slot = this.store.slotOf(seq);
    if (slot >= 0 && this.store.statuses[slot] === PENDING) this.#startRun(seq, slot, queuedAt, now);
  }

  #startRun(seq: number, slot: number, queuedAt: number, now: number): void {
    const store = this.store;
    const spec = store.spec(slot);
    const { options } = spec;
    this.pending--;
    this.running++;
    if (options.remote) this.remoteRunning++;
    store.statuses[slot] = RUNNING;
    const runs = ++store.runs[slot];
    if (Number.isNaN(store.startedAt[slot])) store.startedAt[slot] = stampAt(now);
    this.metrics.recordStart(now - queuedAt, now);
    const run = new RunScope(now, seq, this, spec.fn, options.args);
    store.setScope(slot, run);
    if (this.bus !== undefined) {
      this.#emit('job.started', seq, spec.name, { attempt: runs });
      // A handler may have cancelled it: then it never starts.
      if (store.scope(store.slotOf(seq)) !== run) return;
    }
    if (options.timeoutMs !== undefined) run.timer = setTimeout(timeOutRun, options.timeoutMs, this, run);
    // executeJob never throws: every outcome is reported through settleJob.
    runInScope(run, executeJob, run);
  }

  #failRun(seq: number, slot: number, error: string, now: number, runStartedAt: number): void {
    const store = this.store;
    const { name, options, maxRuns } = store.spec(slot);
    const runs = store.runs[slot];
    store.setError(seq, error);
    // A remote job's retries were BullMQ's attempts: it is final here.
    if (runs < maxRuns && !options.remote) {
      const delayMs = options.retryDelayMs * 2 ** (runs - 1);
      store.statuses[slot] = PENDING;
      this.pending++;
      this.metrics.jobsRetried++;
      if (this.bus !== undefined) this.#emit('job.retrying', seq, name, { attempt: runs, error, delayMs });
      this.#enqueueAfter(seq, delayMs, now);
      return;
    }
    store.statuses[slot] = FAILED;
    store.completedAt[slot] = stampAt(now);
    this.metrics.jobsFailed++;
    this.metrics.recordFinish(now);
    const durationMs = now - runStartedAt;
    if (isLogging(this.logger))
      logFailure(this.logger, { event: 'job.end', name, status: 'failed', durationMs, error });
    if (this.bus !== undefined) this.#emit('job.failed', seq, name, { error, durationMs });
  }

  #finishCancelled(seq: number, slot: number, reason: unknown, durationMs: number, now: number): void {
    const store = this.store;
    const { name } = store.spec(slot);
    const error = describeCancellation(reason);
    store.statuses[slot] = CANCELLED;
    store.setError(seq, error);
    store.completedAt[slot] = stampAt(now);
    this.metrics.jobsCancelled++;
    if (isLogging(this.logger))
      logFailure(this.logger, { event: 'job.end', name, status: 'cancelled', durationMs, error });
    if (this.bus !== undefined) this.#emit('job.cancelled', seq, name, { error });
  }

  #enqueueAfter(seq: number, delayMs: number, now: number): void {
    if (delayMs > 0) this.#timers.set(seq, setTimeout(enqueueDue, delayMs, this, seq));
    else this.enqueue(seq, now);
  }

  /** @internal A delay or backoff timer is due. */
  due(seq: number): void {
    this.#timers.delete(seq);
    const slot = this.store.slotOf(seq);
    if (slot >= 0 && this.store.statuses[slot] === PENDING) this.enqueue(seq);
  }
  #clearDelay(seq: number): void {
    if (this.#timers.size === 0) return;
    clearTimeout(this.#timers.get(seq));
    this.#timers.delete(seq);
  }

  /** Ends the current run's bookkeeping; returns performance.now(). */
  #endRun(slot: number, run: RunScope): number {
    const now = performance.now();
    run.clearTimer();
    this.store.setScope(slot, undefined);
    this.running--;
    if (this.store.spec(slot).options.remote) this.remoteRunning--;
    this.metrics.totalExecutionTimeMs += now - run.startedAt;
    return now;
  }

  #afterRun(now = -1): void {
    this.dispatch(now);
    if (this.running === 0) this.idle.noneRunning(this.isIdle);
  }

  #emit(type: SchedulerEvent, seq: number, name: string, extra: Record<string, unknown>): void {
    const bus = this.bus!;
    if (!hasListeners(bus, type)) return;
    emitEvent(bus, type, { jobId: jobId(seq), jobName: name, ...extra });
  }
}

// Timer callbacks: the runner and job travel as timer arguments, no closure per job.
function enqueueDue(runner: JobRunner, seq: number): void {
  runner.due(seq);
}
function timeOutRun(runner: JobRunner, run: RunScope): void {
  runner.timeOut(run);
}
