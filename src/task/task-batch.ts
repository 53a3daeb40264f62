// The engine of one AsyncParallelRunner.run(): starts tasks up to the concurrency limit,
// records each exactly once, and on abort (fail-fast, parent scope, close) records every
// running task as cancelled at once and never starts the rest. Invariant: the batch
// resolves when every input task has exactly one result; a late settle is ignored.

import { AbortError, createFailFastReason, describeCancellation } from './abort-reasons.ts';
import { AsyncExecutionResult, describeError, type AsyncTaskResult, type AsyncTaskStatus } from './execution-result.ts';
import { linkToParents } from './link-parent.ts';
import { isLogging, logFailure, type ErgateLogger } from '../internal/logger.ts';
import type { TaskFn, TaskList } from './normalize-tasks.ts';
import { Scope, runInScope } from './scope.ts';

export interface BatchOptions {
  limit: number;
  failFast: boolean;
  onTaskComplete: ((result: AsyncTaskResult) => void) | undefined;
  logger: ErgateLogger;
}

class TaskScope extends Scope {
  settled = false;
  constructor(
    readonly index: number,
    readonly startedAt: number,
  ) {
    super();
  }
}

export class TaskBatch {
  readonly promise: Promise<AsyncExecutionResult>;
  readonly #result: AsyncExecutionResult;
  readonly #running = new Set<TaskScope>();
  readonly #startedAt = performance.now();
  #resolve!: (result: AsyncExecutionResult) => void;
  #next = 0;
  #active = 0;
  #remaining: number;
  #stopped = false;
  #filling = false;
  #finished = false;
  // Assigned before linking: an already-aborted parent finishes the batch inside linkToParents.
  #unlink: () => void = noop;

  constructor(
    readonly tasks: TaskList,
    readonly options: BatchOptions,
    parents: readonly (AbortSignal | undefined)[],
  ) {
    this.promise = new Promise((resolve) => (this.#resolve = resolve));
    this.#remaining = tasks.names.length;
    this.#result = new AsyncExecutionResult(new Array<AsyncTaskResult>(this.#remaining));
    this.#unlink = linkToParents(parents, (reason) => this.abort(reason));
    if (this.#remaining === 0) this.#finish();
    else this.#fill();
  }

  /** Cancels the batch: running tasks are recorded cancelled now, the rest never start. */
  abort(reason: unknown = new AbortError('the batch was aborted')): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const now = performance.now();
    const message = describeCancellation(reason);
    for (const scope of this.#running) {
      this.#record(scope, 'cancelled', null, message, 'AbortError', now);
      scope.abort(reason);
    }
    const notStarted = `${message} (before it started)`;
    while (this.#next < this.tasks.names.length)
      this.#recordAt(this.#next++, 'cancelled', null, notStarted, 'AbortError', 0);
  }

  pass(scope: TaskScope, value: unknown): void {
    if (scope.settled) return;
    this.#record(scope, 'passed', value, null, null, performance.now());
    this.#fill();
  }

  fail(scope: TaskScope, error: unknown): void {
    if (scope.settled) return;
    const { message, type } = describeError(error);
    this.#record(scope, 'failed', null, message, type, performance.now());
    // Abort before refilling, so no task starts after the first failure.
    if (this.options.failFast) this.abort(createFailFastReason(this.tasks.names[scope.index], 'failed', error));
    else this.#fill();
  }

  #fill(): void {
    // A task that throws synchronously settles inside startTask; the guard keeps that
    // from recursing once per task.
    if (this.#filling) return;
    this.#filling = true;
    const { limit } = this.options;
    const { fns, args, names } = this.tasks;
    while (this.#active < limit && this.#next < names.length && !this.#stopped) {
      const scope = new TaskScope(this.#next++, performance.now());
      this.#active++;
      this.#running.add(scope);
      // executeTask never rejects: every outcome is reported through pass/fail.
      void runInScope(scope, executeTask, this, scope, fns[scope.index], args[scope.index]);
    }
    this.#filling = false;
  }

  #record(
    scope: TaskScope,
    status: AsyncTaskStatus,
    value: unknown,
    error: string | null,
    errorType: string | null,
    now: number,
  ): void {
    scope.settled = true;
    this.#running.delete(scope);
    this.#active--;
    this.#recordAt(scope.index, status, value, error, errorType, now - scope.startedAt);
  }

  #recordAt(
    index: number,
    status: AsyncTaskStatus,
    value: unknown,
    error: string | null,
    errorType: string | null,
    durationMs: number,
  ): void {
    const result: AsyncTaskResult = {
      name: this.tasks.names[index],
      success: status === 'passed',
      value,
      error,
      errorType,
      durationMs,
      status,
    };
    this.#result.results[index] = result;
    if (status !== 'passed' && isLogging(this.options.logger)) {
      logFailure(this.options.logger, { event: 'task.end', name: result.name, status, durationMs, error });
    }
    this.#result[status === 'passed' ? 'passed' : status === 'failed' ? 'failed' : 'cancelled']++;
    const { onTaskComplete } = this.options;
    if (onTaskComplete !== undefined) {
      try {
        onTaskComplete(result);
      } catch {
        // A throwing progress callback must not lose or double-count a task.
      }
    }
    if (--this.#remaining === 0) this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#unlink();
    this.#result.durationMs = performance.now() - this.#startedAt;
    this.#resolve(this.#result);
  }
}

// One async frame per task, no closures: the outcome is reported back to the batch.
async function executeTask(batch: TaskBatch, scope: TaskScope, fn: TaskFn, args: readonly unknown[]): Promise<void> {
  let value: unknown;
  try {
    value = await fn(...args);
  } catch (error) {
    batch.fail(scope, error);
    return;
  }
  batch.pass(scope, value);
}

function noop(): void {}
