// Owns one job on an `ergate worker`, from BullMQ's data to the value it returns: malformed
// data refused, a script run on the worker's pool, a function called, and what the worker
// adds to the result (its id, BullMQ's attempt count, runs lost with dead workers).
// Invariant: a job's own failure is its result; it throws only to hand the job back or for BullMQ's retry.
import path from 'node:path';
import type { Job } from 'bullmq';
import { errorResult, type ResultAdds } from '../script/script-result.ts';
import type { SupervisorPool } from '../script/supervisor-pool.ts';
import type { FunctionJobData } from '../seam/function-job-data.ts';
import { UNKNOWN_WORKER } from './finished-job.ts';
import { FUNCTION_JOB, functionError, runFunctionJob } from './function-job.ts';
import { toScriptSpec, type ScriptJobData, type WorkerRuntime } from './job-payload.ts';
import type { JobPolicy } from './job-policy.ts';
import { malformedData } from './malformed-job.ts';
import type { JobData, JobResult, RemoteScriptResult } from './worker-result.ts';

/** The abort reason that hands a running job back to the queue instead of finishing it. */
export const HANDBACK = 'ergate: handed back by a stopping worker';

/** What a job runs with: the worker's id, rules, interpreter and pool. */
export interface WorkerJobContext {
  id: string;
  policy: JobPolicy;
  runtime: WorkerRuntime;
  pool: SupervisorPool;
  log: (line: string) => void;
  /** BullMQ's error that says "the job went back to waiting" */
  WaitingError: new () => Error;
  /** called before a function job runs (the worker then closes the function pool at its end) */
  onFunction: () => void;
}

export async function processJob(
  job: Job<JobData, JobResult>,
  token: string | undefined,
  signal: AbortSignal | undefined,
  context: WorkerJobContext,
): Promise<JobResult> {
  const { log } = context;
  // Lost runs are attempts, not failures; the coordinator names the workers.
  const adds: ResultAdds = {
    worker: context.id,
    attempts: Math.max(1, job.attemptsStarted),
    ...(job.stalledCounter > 0 && { lostOn: Array<string>(job.stalledCounter).fill(UNKNOWN_WORKER) }),
  };
  const malformed = malformedData(job);
  if (malformed !== null) {
    // Never retried: the same bytes would be refused again.
    log(`refused ${job.id}: ${malformed}`);
    const refusedAdds = { worker: adds.worker, attempts: adds.attempts };
    return job.name === FUNCTION_JOB
      ? functionError('anonymous', malformed, 'error', Date.now(), refusedAdds)
      : errorResult(context.policy.root, malformed, 'error', Date.now(), refusedAdds);
  }
  const result: JobResult =
    job.name === FUNCTION_JOB
      ? await runFunction(job as Job<FunctionJobData, JobResult>, signal, adds, context)
      : await runScript(job as Job<ScriptJobData, JobResult>, signal, adds, context);
  const what = job.name === FUNCTION_JOB ? (job.data as FunctionJobData).module : (job.data as ScriptJobData).script;
  if (signal?.aborted && signal.reason === HANDBACK && token) {
    // Not a result: another worker runs it again. Attempt counting stays BullMQ's.
    await job.moveToWait(token);
    log(`handed back ${job.id}`);
    throw new context.WaitingError();
  }
  const attempts = job.opts.attempts ?? 1;
  if ((result.status === 'failed' || result.status === 'timeout') && job.attemptsMade + 1 < attempts) {
    // BullMQ's retry (attempts + backoff) takes it from here.
    throw new Error(`attempt ${job.attemptsMade + 1} of ${attempts} ${result.status}: ${result.error ?? ''}`);
  }
  log(`done ${job.id} ${what} ${result.status}`);
  return result;
}

async function runScript(
  job: Job<ScriptJobData, JobResult>,
  signal: AbortSignal | undefined,
  adds: ResultAdds,
  context: WorkerJobContext,
): Promise<RemoteScriptResult> {
  const data = job.data;
  try {
    const spec = toScriptSpec(data, context.policy, context.runtime);
    context.log(`start ${job.id} ${data.script} (attempt ${job.attemptsStarted})`);
    return await context.pool.run(spec, { signal, adds: () => adds });
  } catch (error) {
    // Bad or refused job data (a path outside the root, a denied variable) is the job's failure.
    const script = path.resolve(context.policy.root, String(data?.script ?? ''));
    return errorResult(script, (error as Error).message, 'error', Date.now(), adds);
  }
}

async function runFunction(
  job: Job<FunctionJobData, JobResult>,
  signal: AbortSignal | undefined,
  adds: ResultAdds,
  context: WorkerJobContext,
): Promise<JobResult> {
  context.onFunction();
  context.log(`start ${job.id} ${job.data?.module}#${job.data?.export} (attempt ${job.attemptsStarted})`);
  // A FunctionResult (runFunction's own builder) carries the worker's additions the same way.
  return { ...(await runFunctionJob(job.data, context.policy, signal)), ...adds };
}
