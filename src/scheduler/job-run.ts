// One run of a job: its scope (the signal currentSignal() returns inside the job, its start
// time, its timeout timer) and executeJob, which starts it. The scope also identifies the
// run: a settle or timeout carrying a scope that is no longer its job's current run (the run
// was timed out or cancelled and ignored that) is dropped by the runner.

import { currentScope } from '../internal/current-scope.ts';
import { Scope } from '../task/scope.ts';
import type { JobFn } from './job-options.ts';

export interface JobSettler {
  settleJob(run: RunScope, ok: boolean, outcome: unknown): void;
}

export class RunScope extends Scope {
  /** The run's timeout timer, when the job has a timeoutMs. */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(
    /** performance.now() when the run started. */
    readonly startedAt: number,
    /** The n of the job's id `job-<n>`. */
    readonly seq: number,
    readonly settler: JobSettler,
    readonly fn: JobFn,
    readonly args: readonly unknown[],
  ) {
    super();
  }

  clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

// Starts one run; called inside the run's scope (see runInScope), so every promise the job
// creates, and the then() below, carry the run as their scope. A native promise (the usual
// job) is followed with one then() whose handlers are shared functions that find their run
// as the current scope: no async frame, no closures per run (at 100,000 jobs each promise
// and closure is paid in allocation and promise-hook calls). Anything else is awaited.
export function executeJob(run: RunScope): void {
  let value: unknown;
  try {
    const { args } = run;
    value = args.length === 0 ? run.fn() : run.fn(...args);
  } catch (error) {
    run.settler.settleJob(run, false, error);
    return;
  }
  if (value instanceof Promise && value.constructor === Promise) value.then(settleFulfilled, settleRejected);
  else void settleAwaited(run, value);
}

function settleFulfilled(value: unknown): void {
  const run = currentScope() as RunScope;
  run.settler.settleJob(run, true, value);
}

function settleRejected(error: unknown): void {
  const run = currentScope() as RunScope;
  run.settler.settleJob(run, false, error);
}

async function settleAwaited(run: RunScope, value: unknown): Promise<void> {
  let result: unknown;
  try {
    result = await value;
  } catch (error) {
    run.settler.settleJob(run, false, error);
    return;
  }
  run.settler.settleJob(run, true, result);
}
