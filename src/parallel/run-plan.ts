// Owns the loop that decides "start the next script" for one run over a pool: at most
// `concurrency` at a time, in the order of the ordering step, each one only once the
// admission step lets it; fail-fast. Invariant: `done` settles only after every started
// script has settled (the pool settles a run only after its child's process group is
// reaped), and every script is reported exactly once: a result or skipped.
import type { ScriptResult } from '../script/types.ts';
import type { PlannedScript, ScriptRef } from '../seam/planned-script.ts';
import type { ScriptPool } from '../seam/script-pool.ts';
import type { RunNotifier } from './events.ts';
import { isFailure } from '../seam/execution-result.ts';
import { runAttempts } from './run-attempts.ts';
import { createFailFastReason } from '../internal/cancellation.ts';
import type { ErgateLogger } from '../internal/logger.ts';
import type { RunResources } from '../resources/run-resources.ts';

export interface RunPlanOptions {
  size: number;
  /** Cheap: what events name a script by. */
  refAt: (index: number) => ScriptRef;
  /** Builds the script to run (its spec); called only as it starts. */
  resolve: (index: number) => PlannedScript;
  getPool: () => ScriptPool;
  concurrency: number;
  /** aborted by fail-fast, cancel(), the caller's signal or close() */
  controller: AbortController;
  failFast: boolean;
  notifier: RunNotifier;
  /** where each script's end is logged (the supervisor pool's default when undefined) */
  logger?: ErgateLogger;
  /** memory admission shares, samples, peaks and history (the admission decision itself goes through `admit`) */
  resources: RunResources;
  /** Aborted: start nothing more; running scripts finish; the rest are skipped. */
  stopStarting?: AbortSignal;
  /** Live output of every script (the specs were built with liveOutput). */
  onOutput?: ScriptOutputListener;
  /** Ordering step: plan indices in start order, each once. @default 0 … size-1 */
  order?: Iterable<number>;
  /**
   * Admission step, asked when a slot is free, right before the next script would start;
   * true starts it now. While it says false nothing starts until wake() is called (a gate
   * that refuses with nothing running must call wake() later, or the run waits).
   */
  admit?: (ref: ScriptRef, active: number) => boolean;
  /** Each finished script's final result, as it finishes. */
  onResult: (ref: ScriptRef, result: ScriptResult) => void;
}

/** Live output of one script of a run: whole chunks as they arrive, per stream. */
export type ScriptOutputListener = (script: string, stream: 'stdout' | 'stderr', chunk: string) => void;

export interface PlanRun {
  /** Settles once every script has a result or was skipped, and every started child is reaped. */
  done: Promise<void>;
  /** Asks the loop to look again (an admission gate that now says yes). */
  wake: () => void;
}

export function runPlan(options: RunPlanOptions): PlanRun {
  const { controller, notifier } = options;
  const order = (options.order ?? sequence(options.size))[Symbol.iterator]();
  let next = order.next();
  let active = 0;
  let settled = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const finish = (ref: ScriptRef, result: ScriptResult): void => {
    options.onResult(ref, result);
    notifier.emit('script.finished', {
      name: ref.name,
      script: ref.script,
      index: ref.index,
      status: result.status,
      durationMs: result.durationMs,
      attempts: result.attempts ?? 1,
      result,
    });
  };

  const open = (): boolean => !controller.signal.aborted && options.stopStarting?.aborted !== true;
  const pump = (): void => {
    if (settled) return;
    while (active < options.concurrency && !next.done && open()) {
      const ref = options.refAt(next.value);
      if (options.admit && !options.admit(ref, active)) return;
      next = order.next();
      active += 1;
      void runAttempts(options.resolve(ref.index), options).then((result) => {
        finish(ref, result);
        // The first failure wins: later failures of running scripts do not re-abort.
        if (options.failFast && isFailure(result.status) && !controller.signal.aborted) {
          controller.abort(createFailFastReason(ref.name, result.status));
        }
        active -= 1;
        pump();
      });
    }
    if (active > 0 || (!next.done && open())) return;
    settled = true;
    for (; !next.done; next = order.next()) {
      const ref = options.refAt(next.value);
      notifier.emit('script.skipped', { name: ref.name, script: ref.script, index: ref.index });
    }
    resolveDone();
  };
  // An abort while the admission gate holds the loop must still end the run.
  controller.signal.addEventListener('abort', pump, { once: true });
  options.stopStarting?.addEventListener('abort', pump, { once: true, signal: controller.signal });
  pump();
  return { done, wake: pump };
}

function* sequence(size: number): Generator<number> {
  for (let i = 0; i < size; i++) yield i;
}
