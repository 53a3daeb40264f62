// Builds the job behind AsyncScheduler.scheduleScript(): it runs one Python script
// through runScript (the shared supervisor pool), bound to the job's scope, so cancel()
// and a parent's abort kill the script's process group. The job completes with the
// ScriptResult when the script passed, and fails with it (JobFailure) otherwise.
// Script options are validated here, synchronously, so schedule-time errors throw.

import path from 'node:path';
import { runScript } from '../script/run-script.ts';
import type { RunScriptOptions, ScriptResult } from '../script/types.ts';
import { parseRunScriptOptions, type ParsedRunScriptOptions } from '../script/validate-options.ts';
import { expectedGot } from '../internal/option-schemas.ts';
import { JobFailure } from './job-failure.ts';
import type { JobFn } from './job-options.ts';

/** Scheduling options of a script job; timeoutMs and the rest go to the script. */
export interface ScheduleScriptOptions extends RunScriptOptions {
  /** @default the script's basename */
  name?: string;
  /** Lower runs first. @default 0 */
  priority?: number;
  /** Runs in all: a script that does not pass is run again. @default 1 */
  maxRuns?: number;
  /** Wait before retry k: retryDelayMs * 2^(k-1). @default 0 */
  retryDelayMs?: number;
  /** The job joins the queue after this delay. @default 0 */
  delayMs?: number;
}

const JOB_KEYS = ['name', 'priority', 'maxRuns', 'retryDelayMs', 'delayMs'] as const;

export interface ScriptJob {
  fn: JobFn;
  jobOptions: { name: string; priority?: number; maxRuns?: number; retryDelayMs?: number; delayMs?: number };
}

/** Splits scheduleScript's options into the job's and the script's (checked: TypeError). */
export function splitScriptOptions(
  scriptPath: string,
  options: ScheduleScriptOptions | undefined,
): { scriptOptions: Record<string, unknown>; jobOptions: ScriptJob['jobOptions']; parsed: ParsedRunScriptOptions } {
  if (typeof scriptPath !== 'string' || scriptPath === '') {
    throw new TypeError(`AsyncScheduler.scheduleScript scriptPath: ${expectedGot('a non-empty string', scriptPath)}`);
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`AsyncScheduler.scheduleScript options: ${expectedGot('an options object', options)}`);
  }
  const scriptOptions: Record<string, unknown> = { ...options };
  const jobOptions: Record<string, unknown> = { name: path.basename(scriptPath) };
  for (const key of JOB_KEYS) {
    if (scriptOptions[key] !== undefined) jobOptions[key] = scriptOptions[key];
    delete scriptOptions[key];
  }
  const parsed = parseRunScriptOptions(scriptOptions, 'AsyncScheduler.scheduleScript options');
  return { scriptOptions, jobOptions: jobOptions as ScriptJob['jobOptions'], parsed };
}

export function createScriptJob(scriptPath: string, options: ScheduleScriptOptions | undefined): ScriptJob {
  const { scriptOptions, jobOptions } = splitScriptOptions(scriptPath, options);

  const fn = async function runScriptJob(): Promise<ScriptResult> {
    // runScript binds to the job's scope itself: cancel(), timeouts and parent aborts reach it.
    const result = await runScript(scriptPath, scriptOptions);
    if (result.status !== 'passed') throw new JobFailure(result.error ?? `script ${result.status}`, result);
    return result;
  };
  return { fn, jobOptions };
}
