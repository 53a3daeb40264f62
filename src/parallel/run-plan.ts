// Owns the scheduling of one planned run over a supervisor pool: scripts start in the given
// order, at most `concurrency` at a time; retries; fail-fast; and the fallback when a
// supervisor thread dies (the script is reported 'error', never lost). Invariant: the
// returned promise settles only after every started script has settled, and the pool only
// settles a run after its child's process group is reaped, so nothing outlives the run.
import { errorResult } from '../script/error-result.ts';
import type { AttemptRecord, ScriptResult, ScriptSpec } from '../script/types.ts';
import type { PlannedScript } from './build-plan.ts';
import type { RunNotifier } from './events.ts';
import { isFailure } from './execution-result.ts';
import type { CrashBreaker } from './crash-breaker.ts';
import { createFailFastReason, describeAbortedSignal } from '../internal/cancellation.ts';
import type { ErgateLogger } from '../internal/logger.ts';
import type { RunResources, StartedChild } from '../resources/run-resources.ts';

/** The part of SupervisorPool a run needs. */
export interface ScriptPool {
  run(
    spec: ScriptSpec,
    options?: {
      signal?: AbortSignal;
      retries?: number;
      onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
      onStart?: (child: StartedChild) => void;
      logger?: ErgateLogger;
    },
  ): Promise<ScriptResult>;
  /** The pool runs a script's retries itself (BullMQ attempts) and sets result.attempts. */
  readonly handlesRetries?: boolean;
}

export interface RunPlanOptions {
  plan: PlannedScript[];
  getPool: () => ScriptPool;
  concurrency: number;
  /** aborted by fail-fast, cancel(), the caller's signal or close() */
  controller: AbortController;
  failFast: boolean;
  notifier: RunNotifier;
  breaker: CrashBreaker;
  /** where each script's end is logged (the supervisor pool's default when undefined) */
  logger?: ErgateLogger;
  /** memory admission, samples, peaks and history; the plan is already in start order */
  resources: RunResources;
  /** Aborted: start nothing more; running scripts finish; the rest are skipped. */
  stopStarting?: AbortSignal;
  /** Live output of every script (the specs were built with liveOutput). */
  onOutput?: ScriptOutputListener;
}

/** Live output of one script of a run: whole chunks as they arrive, per stream. */
export type ScriptOutputListener = (script: string, stream: 'stdout' | 'stderr', chunk: string) => void;

/** @returns results by plan index; undefined for scripts that never started */
export function runPlan(options: RunPlanOptions): Promise<Array<ScriptResult | undefined>> {
  const { plan, concurrency, controller, notifier, breaker, resources } = options;
  const results: Array<ScriptResult | undefined> = new Array<ScriptResult | undefined>(plan.length).fill(undefined);
  let next = 0;
  let active = 0;
  let done = false;

  return new Promise((resolve) => {
    const pump = (): void => {
      if (done) return;
      const open = (): boolean => !controller.signal.aborted && !breaker.tripped && options.stopStarting?.aborted !== true;
      // Memory admission holds the next script back (and so every one behind it: order is
      // kept) until the running ones leave room; pump runs again on each finish and sample.
      while (active < concurrency && next < plan.length && open() && resources.mayStart(plan[next].script)) {
        const item = plan[next++];
        active += 1;
        void runWithRetries(item, options).then((result) => {
          results[item.index] = result;
          notifier.emit('script.finished', {
            name: item.name,
            script: item.script,
            index: item.index,
            status: result.status,
            durationMs: result.durationMs,
            attempts: result.attempts ?? 1,
            result,
          });
          // The first failure wins: later failures of running scripts do not re-abort.
          if (options.failFast && isFailure(result.status) && !controller.signal.aborted) {
            controller.abort(createFailFastReason(item.name, result.status));
          }
          active -= 1;
          pump();
        });
      }
      if (active > 0) return;
      if (breaker.tripped) {
        // Scripts the broken pool can no longer run are told plainly, not silently skipped.
        for (; next < plan.length; next++) {
          results[plan[next].index] = withAttempts(errorResult(plan[next].script, breaker.reason(), 'error'), 0);
        }
      }
      for (const item of plan.slice(next)) {
        notifier.emit('script.skipped', { name: item.name, script: item.script, index: item.index });
      }
      next = plan.length;
      done = true;
      resolve(results);
    };
    resources.whenRoomMayHaveFreed(pump);
    pump();
  });
}

async function runWithRetries(item: PlannedScript, options: RunPlanOptions): Promise<ScriptResult> {
  const { controller, notifier, breaker, resources } = options;
  if (!item.spec) return withAttempts(errorResult(item.script, item.error ?? 'could not be run', 'error'), 1);
  const pool = options.getPool();
  const failedAttempts: AttemptRecord[] = [];
  const listener = options.onOutput;
  const onOutput = listener && ((stream: 'stdout' | 'stderr', chunk: string) => listener(item.script, stream, chunk));
  for (let attempt = 1; ; attempt++) {
    notifier.emit('script.started', { name: item.name, script: item.script, index: item.index, attempt });
    const usage = resources.begin(item.script, (sample) => {
      notifier.emit('script.sample', { name: item.name, script: item.script, index: item.index, ...sample });
    });
    const onStart = (child: StartedChild) => usage.started(child);
    let result: ScriptResult;
    try {
      result = await pool.run(item.spec, { signal: controller.signal, retries: item.retries, onStart, ...(onOutput && { onOutput }), ...(options.logger && { logger: options.logger }) });
      breaker.recordSuccess();
    } catch (error) {
      // The pool never rejects for a script's own failure: a rejection means the supervisor
      // thread itself died (or the pool was closed under us).
      const message = error instanceof Error ? error.message : String(error);
      if (controller.signal.aborted) {
        result = errorResult(item.script, describeAbortedSignal(controller.signal), 'cancelled');
      } else {
        breaker.recordFailure(message);
        result = errorResult(item.script, `supervisor thread died while running the script: ${message}`, 'error');
      }
    }
    usage.finish(result);
    if (pool.handlesRetries) return withAttempts(result, result.attempts ?? attempt);
    const retryable = result.status === 'failed' || result.status === 'timeout';
    if (retryable && attempt <= item.retries && !controller.signal.aborted && !breaker.tripped) {
      failedAttempts.push(attemptRecord(result));
      continue;
    }
    if (failedAttempts.length > 0) result.failedAttempts = failedAttempts;
    return withAttempts(result, attempt);
  }
}

function attemptRecord(r: ScriptResult): AttemptRecord {
  const { status, exitCode, signal, stdout, stderr, error, startTime, durationMs } = r;
  return { status, exitCode, signal, stdout, stderr, error, startTime, durationMs };
}

function withAttempts(result: ScriptResult, attempts: number): ScriptResult {
  result.attempts = attempts;
  return result;
}
