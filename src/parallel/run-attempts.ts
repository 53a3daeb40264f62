// Runs one planned script on the pool until it has its final result: retries of a failed or
// timed-out run (unless the pool runs retries itself), and the fallback should the pool
// reject after all (the script is reported 'error', never lost). Never rejects.
import { describeAbortedSignal } from '../internal/cancellation.ts';
import type { ErgateLogger } from '../internal/logger.ts';
import { errorResult, type ResultAdds } from '../script/script-result.ts';
import type { AttemptRecord, ScriptResult } from '../script/types.ts';
import type { PlannedScript } from '../seam/planned-script.ts';
import type { RunNotifier } from './events.ts';
import type { ScriptPool } from '../seam/script-pool.ts';
import type { ScriptOutputListener } from './run-plan.ts';
import type { RunResources, StartedChild } from '../resources/run-resources.ts';

export interface AttemptContext {
  getPool: () => ScriptPool;
  controller: AbortController;
  notifier: RunNotifier;
  /** memory admission shares, samples, peaks and history of each attempt */
  resources: RunResources;
  onOutput?: ScriptOutputListener;
  logger?: ErgateLogger;
}

export async function runAttempts(item: PlannedScript, context: AttemptContext): Promise<ScriptResult> {
  const { controller, notifier, resources } = context;
  if (!item.spec) return errorResult(item.script, item.error ?? 'could not be run', 'error');
  const pool = context.getPool();
  const failedAttempts: AttemptRecord[] = [];
  const listener = context.onOutput;
  const onOutput = listener && ((stream: 'stdout' | 'stderr', chunk: string) => listener(item.script, stream, chunk));
  for (let attempt = 1; ; attempt++) {
    notifier.emit('script.started', { name: item.name, script: item.script, index: item.index, attempt });
    const usage = resources.begin(item.script, (sample) => {
      notifier.emit('script.sample', { name: item.name, script: item.script, index: item.index, ...sample });
    });
    const onStart = (child: StartedChild): void => usage.started(child);
    // What this attempt adds to its result: samples, its number, the failed runs before it.
    const adds = (startedAt: number): ResultAdds => ({
      ...usage.adds(startedAt),
      attempts: attempt,
      ...(failedAttempts.length > 0 && { failedAttempts: [...failedAttempts] }),
    });
    let result: ScriptResult;
    try {
      result = await pool.run(item.spec, {
        signal: controller.signal,
        retries: item.retries,
        index: item.index,
        onStart,
        adds,
        ...(onOutput && { onOutput }),
        ...(context.logger && { logger: context.logger }),
      });
    } catch (error) {
      // The pools resolve every failure as a result (launcher start-up failures open their own
      // breaker, src/internal/startup-breaker.ts); a rejection is a bug, reported, not lost.
      const message = error instanceof Error ? error.message : String(error);
      const at = Date.now();
      result = controller.signal.aborted
        ? errorResult(item.script, describeAbortedSignal(controller.signal), 'cancelled', at, adds(at))
        : errorResult(item.script, `the pool failed while running the script: ${message}`, 'error', at, adds(at));
    }
    usage.finish(result);
    // A pool that runs retries itself (BullMQ's attempts) built the result with its own count.
    if (pool.handlesRetries) return result;
    const retryable = result.status === 'failed' || result.status === 'timeout';
    if (retryable && attempt <= item.retries && !controller.signal.aborted) {
      failedAttempts.push(attemptRecord(result));
      continue;
    }
    return result;
  }
}

function attemptRecord(r: ScriptResult): AttemptRecord {
  const { status, exitCode, signal, stdout, stderr, error, startTime, durationMs } = r;
  const record: AttemptRecord = { status, exitCode, signal, stdout, stderr, error, startTime, durationMs };
  // Where and how the attempt ran, for the HTML report's timeline and memory chart.
  if (r.slot !== undefined) record.slot = r.slot;
  if (r.worker !== undefined) record.worker = r.worker;
  if (r.peakTreeRssKb !== undefined) record.peakTreeRssKb = r.peakTreeRssKb;
  if (r.memorySamples !== undefined) record.memorySamples = r.memorySamples;
  return record;
}
