// Owns functions as BullMQ jobs. Jobs carry no code: a function travels only as a FunctionRef
// (a module path relative to the shared root, plus an export name) with JSON arguments, and
// each worker imports the module from its own checkout. The coordinator side
// (src/seam/function-job-data.ts) refuses a plain function with a TypeError; the worker side (runFunctionJob) runs the ref
// through runFunction, so every runFunction limit (timeout, heap limit, cancel) applies there,
// and only for modules inside the worker's --functions folders (JobPolicy).
import path from 'node:path';
import { runFunction } from '../function/run-function.ts';
import type { FunctionResult } from '../function/types.ts';
import type { FunctionJobData } from '../seam/function-job-data.ts';
import type { FinishedJob } from './finished-job.ts';
import { describeLostJob, GONE_FROM_REDIS } from './job-result.ts';
import { DEFAULT_TIMEOUT_MS } from '../function/validate-options.ts';
import { containedRealpath, isInside } from './contained-path.ts';
import { checkNoNul, checkTimeout, type JobPolicy } from './job-policy.ts';

/** BullMQ job name of function jobs; script jobs are named 'script'. */
export const FUNCTION_JOB = 'function';

/**
 * Where a function job's module really is; @throws Error unless it lies, by realpath, inside
 * one of the worker's --functions folders and outside any node_modules.
 */
function registeredModule(data: FunctionJobData, policy: JobPolicy): string {
  if (policy.functions.length === 0)
    throw new Error(
      'refused: this worker runs no function jobs; start it with --functions DIR to allow the modules in DIR',
    );
  if (typeof data.module !== 'string' || data.module === '') throw new Error('the job names no module');
  const real = containedRealpath(policy.root, data.module, 'module');
  const home = policy.functions.find((dir) => isInside(dir, real));
  if (!home)
    throw new Error(
      `refused: the job's module ${JSON.stringify(data.module)} is not inside a --functions folder of this worker (${policy.functions.join(', ')})`,
    );
  if (path.relative(home, real).split(path.sep).includes('node_modules'))
    throw new Error(`refused: the job's module ${JSON.stringify(data.module)} is inside node_modules`);
  return real;
}

/** Runs a function job on the worker; never rejects (a bad or refused job is an 'error' result). */
export async function runFunctionJob(
  data: FunctionJobData,
  policy: JobPolicy,
  signal: AbortSignal | undefined,
): Promise<FunctionResult<unknown>> {
  const name =
    typeof data?.name === 'string' ? data.name : typeof data?.export === 'string' ? data.export : 'anonymous';
  let module: string;
  try {
    if (typeof data !== 'object' || data === null) throw new Error('the job carries no data');
    for (const [key, value] of Object.entries(data)) checkNoNul(value, key);
    checkTimeout(data.timeoutMs ?? DEFAULT_TIMEOUT_MS, policy);
    module = registeredModule(data, policy);
  } catch (error) {
    return functionError(name, (error as Error).message, 'error');
  }
  try {
    return await runFunction(
      { module, export: data.export },
      {
        args: Array.isArray(data.args) ? data.args : [],
        ...(data.timeoutMs !== null && { timeoutMs: data.timeoutMs }),
        ...(data.memoryLimitMb !== null && { memoryLimitMb: data.memoryLimitMb }),
        ...(data.name !== null && { name: data.name }),
        ...(signal && { signal }),
      },
    );
  } catch (error) {
    // Job data is untrusted: a malformed option is the job's failure, not the worker's.
    return functionError(name, (error as Error).message, 'error');
  }
}

/** A FunctionResult for a call that never ran, or was lost with its worker; `adds` as a worker's results carry. */
export function functionError(
  name: string,
  message: string,
  status: 'error' | 'cancelled',
  startedAt = Date.now(),
  adds: { attempts?: number; worker?: string } = {},
): FunctionResult<unknown> & { attempts: number; worker?: string } {
  const now = Date.now();
  return {
    name,
    type: 'function',
    status,
    result: null,
    error: message,
    errorType: null,
    stack: null,
    isolation: 'thread',
    startTime: new Date(startedAt).toISOString(),
    endTime: new Date(now).toISOString(),
    durationMs: now - startedAt,
    attempts: 1,
    ...adds,
  };
}

/** The coordinator's FunctionResult of a finished function job (as toScriptResult for scripts). */
export function toFunctionResult(
  finished: FinishedJob,
  name: string,
): FunctionResult<unknown> & { attempts: number; worker?: string } {
  if (finished === null) return functionError(name, GONE_FROM_REDIS, 'error');
  if ('lost' in finished) return functionError(name, finished.lost, 'error');
  const { job, state } = finished;
  const attempts = Math.max(1, job.attemptsStarted);
  if (state === 'completed' && job.returnvalue && typeof job.returnvalue === 'object') {
    const result = job.returnvalue as FunctionResult<unknown> & { attempts?: number };
    return { ...result, attempts: result.attempts ?? attempts };
  }
  return functionError(name, describeLostJob(job), 'error', job.processedOn ?? job.timestamp, { attempts });
}
