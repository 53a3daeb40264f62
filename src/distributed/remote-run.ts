// RemoteRun: one ParallelRunner run carried out by `ergate worker`s through BullMQ. It is the
// runner's ScriptPool for that run (run(spec) resolves with the script's ScriptResult), so
// progress events, counts and fail-fast stay the runner's own. Retries are BullMQ attempts
// (handlesRetries), attempts counted by BullMQ, so a script is reported exactly once.
import path from 'node:path';
import { errorResult } from '../script/error-result.ts';
import type { ScriptResult, ScriptSpec } from '../script/types.ts';
import type { PlannedScript } from '../parallel/build-plan.ts';
import { toJobData, type EnvRule } from './job-payload.ts';
import { toScriptResult } from './job-result.ts';
import { scriptJobId } from './queue-names.ts';
import type { RedisBackend, RunManifest } from './redis-backend.ts';

import { bareCancelReason, describeAbortedSignal } from '../internal/cancellation.ts';

export class RemoteRun {
  readonly handlesRetries = true;
  readonly runId: string;
  readonly #backend: RedisBackend;
  readonly #indexBySpec = new Map<ScriptSpec, number>();
  readonly #envRule: EnvRule;

  private constructor(backend: RedisBackend, runId: string, plan: PlannedScript[], envRule: EnvRule) {
    this.#backend = backend;
    this.#envRule = envRule;
    this.runId = runId;
    for (const item of plan) if (item.spec) this.#indexBySpec.set(item.spec, item.index);
  }

  /** Connects and records the run's manifest, so another coordinator can re-attach by id. */
  static async open(backend: RedisBackend, plan: PlannedScript[], envRule: EnvRule): Promise<RemoteRun> {
    await backend.connect();
    const run = new RemoteRun(backend, backend.newRunId(), plan, envRule);
    const manifest: RunManifest = {
      runId: run.runId,
      createdAt: new Date().toISOString(),
      scripts: plan.map((item) => {
        const relative = path.relative(backend.root, item.script);
        return relative.startsWith('..') || path.isAbsolute(relative) ? null : relative.split(path.sep).join('/');
      }),
      paths: plan.map((item) => item.script),
    };
    await backend.writeManifest(manifest);
    return run;
  }

  async run(spec: ScriptSpec, options: { signal?: AbortSignal; retries?: number } = {}): Promise<ScriptResult> {
    const index = this.#indexBySpec.get(spec);
    if (index === undefined) return errorResult(spec.script, 'internal: the script is not part of this run', 'error');
    const { signal } = options;
    if (signal?.aborted) return errorResult(spec.script, describeAbortedSignal(signal), 'cancelled');
    let data;
    try {
      data = toJobData(spec, this.#backend.root, this.runId, index, this.#envRule);
    } catch (error) {
      return errorResult(spec.script, (error as Error).message, 'error');
    }
    const jobId = scriptJobId(this.runId, index);
    const { added, finished } = this.#backend.submit(jobId, data, options.retries ?? 0);
    try {
      await added;
    } catch (error) {
      return errorResult(spec.script, `could not queue the script on ${this.#backend.target.display}: ${(error as Error).message}`, 'error');
    }
    // The worker's pool words it as "cancelled: <reason>", like an in-process abort.
    const onAbort = (): void => void this.#backend.cancelJob(jobId, bareCancelReason(signal!.reason), finished);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const job = await finished;
      if (job === null && signal?.aborted) return errorResult(spec.script, describeAbortedSignal(signal), 'cancelled');
      return toScriptResult(job, spec.script);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
