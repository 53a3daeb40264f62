// attachRun: a coordinator re-attaching to a distributed run by id, e.g. after the one that
// started it died. Reads the run's manifest from Redis and collects each script's result,
// waiting for those still queued or running (workers go on without a coordinator). Each
// script is counted once; a script whose job is gone (removed, expired) counts as skipped.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorResult } from '../script/error-result.ts';
import type { ScriptResult } from '../script/types.ts';
import { ExecutionResult } from '../parallel/execution-result.ts';
import { toScriptResult } from './job-result.ts';
import { scriptJobId } from './queue-names.ts';
import { RedisBackend } from './redis-backend.ts';
import type { BackendOptions } from './validate-options.ts';

export interface AttachRunOptions extends BackendOptions {
  /** Stop waiting: scripts not finished by then count as skipped (they keep running on the workers). */
  signal?: AbortSignal;
  /** Called once per script as its result is collected. */
  onResult?: (result: ScriptResult) => void;
}

/** @throws Error when Redis is unreachable or no run has this id */
export async function attachRun(runId: string, options: AttachRunOptions): Promise<ExecutionResult> {
  if (typeof runId !== 'string' || runId === '') throw new TypeError(`runId: expected a non-empty string, got ${typeof runId}`);
  const { signal, onResult, ...backendOptions } = options ?? {};
  const backend = new RedisBackend(backendOptions, 'attachRun options');
  const started = performance.now();
  try {
    await backend.connect();
    const manifest = await backend.readManifest(runId);
    if (!manifest) throw new Error(`no run ${JSON.stringify(runId)} in queue ${backend.queueName} on ${backend.target.display}`);
    const stopped = new Promise<'stopped'>((resolve) => {
      if (signal?.aborted) resolve('stopped');
      else signal?.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    const results = await Promise.all(manifest.scripts.map(async (relative, index): Promise<ScriptResult | undefined> => {
      // Paths of this machine's checkout; a script outside the root was never sent.
      if (relative === null) return errorResult(manifest.paths[index], `script ${manifest.paths[index]} is outside the shared root`, 'error');
      const script = path.resolve(backend.root, relative);
      const finished = await Promise.race([backend.wait(scriptJobId(runId, index)), stopped]);
      if (finished === 'stopped') return undefined;
      const result = toScriptResult(finished, script);
      try {
        onResult?.(result);
      } catch {
        // an observer never disturbs the collection
      }
      return result;
    }));
    const collected = results.filter((r): r is ScriptResult => r !== undefined && !(r.status === 'cancelled' && r.error?.startsWith('cancelled: removed')));
    return new ExecutionResult(manifest.scripts.length, collected, Math.round(performance.now() - started));
  } finally {
    await backend.close();
  }
}
