// Builds the jobs of AsyncScheduler that can leave the process: scheduleScript with a
// `backend` (the script runs on an `ergate worker`) and scheduleFunction (a FunctionRef, run
// by runFunction here or on a worker). Options are checked now, so schedule-time mistakes
// throw a TypeError. With a backend, the job's priority, maxRuns/retryDelayMs and delayMs are
// BullMQ's (see remote-backend.ts); the scheduler only mirrors the job's state.
import { runFunction } from '../function/run-function.ts';
import type { FunctionRef, FunctionResult, RunFunctionOptions } from '../function/types.ts';
import { validateCall } from '../function/validate-options.ts';
import { checkRemoteJobOptions, type RemoteJobOptions } from '../seam/backend-options.ts';
import type { RemoteBackend } from './remote-backend.ts';
import { ScriptPreparer } from '../script/prepare-script.ts';
import type { ScriptResult } from '../script/types.ts';
import { expectedGot } from '../internal/option-schemas.ts';
import { bindToScope } from '../internal/current-scope.ts';
import { splitScriptOptions, type ScheduleScriptOptions } from './script-job.ts';

/** scheduleFunction's options: the call's (args, timeoutMs, memoryLimitMb) and the job's. */
export interface ScheduleFunctionOptions extends RunFunctionOptions {
  /** Lower runs first. @default 0 */
  priority?: number;
  /** Runs in all: a call that does not pass is run again. @default 1 */
  maxRuns?: number;
  /** Wait before retry k: retryDelayMs * 2^(k-1). @default 0 */
  retryDelayMs?: number;
  /** The job joins the queue after this delay. @default 0 */
  delayMs?: number;
}

/** What the scheduler needs to make an entry: the run, and the job's own options. */
export interface BuiltJob<R> {
  run: () => Promise<R>;
  name: string;
  job: RemoteJobOptions;
}

/** The job's signal (cancel(), parent aborts) joined with the caller's own. */
function jobSignal(user: AbortSignal | undefined): AbortSignal | undefined {
  return bindToScope(user, false);
}

export function createRemoteScriptJob(
  remote: RemoteBackend,
  scriptPath: string,
  options: ScheduleScriptOptions | undefined,
): BuiltJob<ScriptResult> {
  const { jobOptions, parsed } = splitScriptOptions(scriptPath, options);
  if (parsed.onOutput !== undefined) {
    throw new TypeError(
      'AsyncScheduler.scheduleScript options.onOutput: live output is not available with a backend (the result carries stdout and stderr)',
    );
  }
  checkRemoteJobOptions(jobOptions, 'AsyncScheduler.scheduleScript options');
  // The interpreter is each worker's own; only paths, arguments, limits and env travel.
  const spec = ScriptPreparer.remote().spec(scriptPath, parsed);
  const { name, ...job } = jobOptions;
  const envRule = { inheritEnv: parsed.inheritEnv, envAllowList: parsed.envAllowList };
  return { run: () => remote.runScript(spec, { ...job, signal: jobSignal(parsed.signal) }, envRule), name, job };
}

export function createFunctionJob(
  remote: RemoteBackend | null,
  fn: FunctionRef | ((...args: never[]) => unknown),
  options: ScheduleFunctionOptions | undefined,
): BuiltJob<FunctionResult<unknown>> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`AsyncScheduler.scheduleFunction options: ${expectedGot('an options object', options)}`);
  }
  const { priority, maxRuns, retryDelayMs, delayMs, ...callOptions } = options ?? {};
  const job = { priority, maxRuns, retryDelayMs, delayMs };
  if (remote) {
    const run = remote.prepareFunction(fn as FunctionRef, callOptions, 'AsyncScheduler.scheduleFunction');
    checkRemoteJobOptions(job, 'AsyncScheduler.scheduleFunction options');
    const { name } = validateCall(fn, callOptions);
    return { run: () => run({ ...job, signal: jobSignal(callOptions.signal) }), name, job };
  }
  const name = validateCall(fn, callOptions).name;
  // runFunction binds to the job's scope itself (cancel(), timeouts, parent aborts).
  return { run: () => runFunction(fn, callOptions), name, job };
}
