// attachRun: a coordinator re-attaching to a distributed run by id, e.g. after the one that
// started it died. Reads the run's manifest from Redis and collects each script's result,
// waiting for those still queued or running (workers go on without a coordinator), and adds
// the jobs the dead coordinator never added. Each script is counted once; a script whose job
// is gone (removed, expired) counts as skipped.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorResult } from '../script/script-result.ts';
import type { ScriptResult } from '../script/types.ts';
import { ExecutionResult } from '../seam/execution-result.ts';
import { toScriptResult } from './job-result.ts';
import { scriptJobId } from './queue-names.ts';
import type { FinishedJob } from './finished-job.ts';
import { RedisBackend } from './redis-backend.ts';
import { jobOf } from './run-manifest.ts';
import type { BackendOptions } from '../seam/backend-options.ts';

export interface AttachRunOptions extends BackendOptions {
  /** Stop waiting: scripts not finished by then count as skipped (they keep running on the workers). */
  signal?: AbortSignal;
  /** Called once per script as its result is collected. */
  onResult?: (result: ScriptResult) => void;
}

/** @throws Error when Redis is unreachable or no run has this id */
export async function attachRun(runId: string, options: AttachRunOptions): Promise<ExecutionResult> {
  if (typeof runId !== 'string' || runId === '')
    throw new TypeError(`runId: expected a non-empty string, got ${typeof runId}`);
  const { signal, onResult, ...backendOptions } = options ?? {};
  const backend = new RedisBackend(backendOptions, 'attachRun options');
  const started = performance.now();
  try {
    await backend.connect();
    const found = await backend.readManifest(runId);
    if (!found)
      throw new Error(`no run ${JSON.stringify(runId)} in queue ${backend.queueName} on ${backend.target.display}`);
    const { manifest, entries, progress } = found;
    // A coordinator that died before adding every job left the rest to whoever re-attaches.
    const addFrom = progress?.closed ? entries.length : (progress?.addedThrough ?? 0);
    const results = await Promise.all(
      entries.map(async ([index, name, template], position): Promise<ScriptResult | undefined> => {
        // Paths of this machine's checkout; a script outside the root was never sent.
        const script = path.isAbsolute(name) ? name : path.resolve(backend.root, name);
        if (typeof template === 'string') return errorResult(script, template, 'error');
        const jobId = scriptJobId(runId, index);
        let finished: Promise<FinishedJob>;
        if (position >= addFrom) {
          const job = jobOf(manifest, index, name, template);
          // Adding a job that exists changes nothing (same id): BullMQ keeps the first.
          const submitted = backend.submit(jobId, job.data, job.retries);
          finished = submitted.finished;
          try {
            await submitted.added;
          } catch (error) {
            return errorResult(
              script,
              `could not queue the script on ${backend.target.display}: ${(error as Error).message}`,
              'error',
            );
          }
        } else {
          finished = backend.wait(jobId);
        }
        // It may have finished long ago, while no coordinator listened: look once.
        backend.check(jobId);
        const done = await orStopped(finished, signal);
        // Gone (removed by its coordinator, or expired): counted as skipped.
        if (done === 'stopped' || done === null) return undefined;
        const result = toScriptResult(done, script);
        try {
          onResult?.(result);
        } catch {
          // an observer never disturbs the collection
        }
        return result;
      }),
    );
    const collected = results.filter((r): r is ScriptResult => r !== undefined);
    return new ExecutionResult(manifest.size, collected, Math.round(performance.now() - started));
  } finally {
    await backend.close();
  }
}

/** The job's end, or 'stopped' when the signal aborts first; nothing stays listening after either. */
function orStopped(finished: Promise<FinishedJob>, signal: AbortSignal | undefined): Promise<FinishedJob | 'stopped'> {
  if (!signal) return finished;
  if (signal.aborted) return Promise.resolve('stopped');
  return new Promise((resolve) => {
    const onAbort = (): void => resolve('stopped');
    signal.addEventListener('abort', onAbort, { once: true });
    void finished.then((job) => {
      signal.removeEventListener('abort', onAbort);
      resolve(job);
    });
  });
}
