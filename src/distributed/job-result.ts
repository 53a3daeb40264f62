// Turns a finished BullMQ job back into the coordinator's ScriptResult: the worker's result
// with the script path of this machine's checkout, or a plain-language 'error' for a job
// BullMQ gave up on (e.g. its workers kept dying) or that vanished from Redis. A job the
// coordinator removed itself is its caller's to word as cancelled. Attempt counts are BullMQ's own.
import { errorResult, remoteResult } from '../script/script-result.ts';
import type { ScriptResult } from '../script/types.ts';
import type { FinishedJob, JobRecord } from './finished-job.ts';

/** Why a job the coordinator did not remove is gone: Redis lost its state. */
export const GONE_FROM_REDIS = 'lost: the job is gone from Redis; was Redis flushed or restarted without persistence?';

/** @param script the coordinator's absolute path of the job's script */
export function toScriptResult(finished: FinishedJob, script: string): ScriptResult {
  if (finished === null) return errorResult(script, GONE_FROM_REDIS, 'error');
  if ('lost' in finished) return errorResult(script, finished.lost, 'error');
  const { job, state } = finished;
  const attempts = Math.max(1, job.attemptsStarted);
  if (state === 'completed' && job.returnvalue && typeof job.returnvalue === 'object') {
    const result = job.returnvalue as ScriptResult;
    const lostOn = namedLosses(result.lostOn, job.lostOn, result.worker);
    return remoteResult(result, script, { attempts: result.attempts ?? attempts, lostOn });
  }
  return errorResult(script, describeLostJob(job), 'error', job.processedOn ?? job.timestamp, { attempts });
}

/** Why BullMQ gave up on a job, in plain words (shared by script and function jobs). */
export function describeLostJob(job: JobRecord): string {
  const reason = job.failedReason ?? 'unknown reason';
  return /stalled more than allowable limit/i.test(reason)
    ? `lost: the workers running it died ${job.stalledCounter} times (${reason})`
    : `lost: BullMQ failed the job: ${reason}`;
}

/**
 * The worker counts the attempts lost (BullMQ's stalled counter); the coordinator names the
 * workers it saw them lost on. A name that is the finishing worker's own was read too late
 * (that worker had already taken the job): it stays unknown.
 */
export function namedLosses(
  counted: string[] | undefined,
  seen: string[] | undefined,
  finisher: string | undefined,
): string[] | undefined {
  if (!counted || counted.length === 0) return counted;
  const names = (seen ?? []).filter((worker) => worker !== finisher);
  return counted.map((unknown, i) => names[i] ?? unknown);
}
