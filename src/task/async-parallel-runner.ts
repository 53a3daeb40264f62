// AsyncParallelRunner: runs async functions with bounded concurrency as a task group
// (docs/API.md, "Async tasks"). Owns option validation and the set of batches in
// flight so close() can cancel them; the scheduling itself lives in task-batch.ts.

import * as v from 'valibot';
import { AbortError } from './abort-reasons.ts';
import type { AsyncExecutionResult, AsyncTaskResult } from './execution-result.ts';
import { normalizeTasks, type TaskInput } from './normalize-tasks.ts';
import {
  aBoolean,
  aFunction,
  aLogger,
  anAbortSignal,
  expected,
  parseOrThrow,
  positiveInt,
} from '../internal/option-schemas.ts';
import { currentSignal } from './scope.ts';
import { defaultLogger, type ErgateLogger } from '../internal/logger.ts';
import { TaskBatch } from './task-batch.ts';

export interface AsyncParallelRunnerOptions {
  /** Tasks running at once; a positive integer. @default unbounded */
  maxConcurrency?: number;
  /** The first failure aborts every sibling and no further task starts. @default false */
  failFast?: boolean;
  /** Called once per task as it is recorded (passed, failed or cancelled). */
  onTaskComplete?: (result: AsyncTaskResult) => void;
  /** Not bound to the scope the runner is constructed in (work meant to outlive that task). @default false */
  detached?: boolean;
  /** Failed and cancelled tasks are logged here (pino-compatible). @default debuglog('ergate') */
  logger?: ErgateLogger;
}

export interface AsyncRunOptions {
  /** Aborting it cancels the run; the runner also inherits the enclosing task's scope. */
  signal?: AbortSignal;
  /** Not bound to the scope of the task run() is called in. @default false */
  detached?: boolean;
}

const runnerSchema = v.strictObject(
  {
    maxConcurrency: v.optional(positiveInt),
    failFast: v.optional(aBoolean),
    onTaskComplete: v.optional(aFunction),
    detached: v.optional(aBoolean),
    logger: v.optional(aLogger),
  },
  expected('an options object'),
);
const runSchema = v.strictObject(
  { signal: v.optional(anAbortSignal), detached: v.optional(aBoolean) },
  expected('an options object'),
);

export class AsyncParallelRunner {
  readonly #limit: number;
  readonly #failFast: boolean;
  readonly #onTaskComplete: ((result: AsyncTaskResult) => void) | undefined;
  readonly #batches = new Set<TaskBatch>();
  /** The scope the runner was constructed in: its abort cancels every run. */
  readonly #constructedIn: AbortSignal | undefined;
  readonly #logger: ErgateLogger;

  constructor(options?: AsyncParallelRunnerOptions) {
    const parsed = parseOrThrow(runnerSchema, options, 'AsyncParallelRunner options');
    this.#limit = parsed.maxConcurrency ?? Infinity;
    this.#failFast = parsed.failFast ?? false;
    this.#onTaskComplete = parsed.onTaskComplete;
    this.#constructedIn = parsed.detached === true ? undefined : currentSignal();
    this.#logger = parsed.logger ?? defaultLogger;
  }

  /**
   * Runs every task and resolves with one result per task, in input order. Never rejects
   * because a task failed; rejects with a TypeError only for a malformed task list.
   */
  async run(tasks: readonly TaskInput[], options?: AsyncRunOptions): Promise<AsyncExecutionResult> {
    // Read the enclosing scope before any await: it is what makes this run a child of it.
    const inherited = currentSignal();
    const { signal, detached } = parseOrThrow(runSchema, options, 'AsyncParallelRunner.run options');
    const list = normalizeTasks(tasks);
    const parents = [signal, detached === true ? undefined : inherited, this.#constructedIn];
    const batch = new TaskBatch(
      list,
      { limit: this.#limit, failFast: this.#failFast, onTaskComplete: this.#onTaskComplete, logger: this.#logger },
      parents,
    );
    this.#batches.add(batch);
    try {
      return await batch.promise;
    } finally {
      this.#batches.delete(batch);
    }
  }

  /** Cancels every run in progress (their tasks are recorded 'cancelled'). */
  cancel(reason: unknown = new AbortError('runner.cancel() was called')): void {
    for (const batch of this.#batches) batch.abort(reason);
  }

  /** Cancels runs in progress; the runner holds no other resources. */
  close(): Promise<void> {
    this.cancel(new AbortError('the runner was closed'));
    return Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
