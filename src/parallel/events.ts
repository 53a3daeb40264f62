// Owns the lifecycle notifications of a parallel run: the contract's onProgress callback and
// the same events on an optional mitt eventBus. A listener that throws is reported through
// debuglog and otherwise ignored: observers never disturb the run or its accounting.
import { debuglog } from 'node:util';
import type { ScriptResult, ScriptStatus } from '../script/types.ts';
import type { ExecutionCounts } from '../seam/execution-result.ts';

const debug = debuglog('ergate');

/** onProgress as in the contract: (name, status, details); name is a basename or 'batch'. */
export type ProgressCallback = (script: string, status: string, details: Record<string, unknown>) => void;

/** Payloads of the eventBus events, keyed by event name. */
export type ParallelEvents = {
  /** runId: the distributed run's id (backend option), for re-attaching */
  'batch.started': { total: number; workers: number; runId?: string };
  /** expectedMs: the script's median duration from the run history, null without one */
  'script.submitted': { name: string; script: string; index: number; expectedMs?: number | null };
  /** Once per attempt; attempt is 1 for the first run. */
  'script.started': { name: string; script: string; index: number; attempt: number };
  'script.finished': {
    name: string;
    script: string;
    index: number;
    status: ScriptStatus;
    durationMs: number;
    attempts: number;
    result: ScriptResult;
  };
  /**
   * Every sampleMs while a script runs: its process tree's memory (treeRssKb, shared pages
   * counted once) and CPU (% of one core), and its peak so far.
   */
  'script.sample': {
    name: string;
    script: string;
    index: number;
    pid: number;
    treeRssKb: number;
    peakTreeRssKb: number;
    cpuPercent: number;
    processes: number;
  };
  /** A queued script that never started (fail-fast, cancel, signal, close). */
  'script.skipped': { name: string; script: string; index: number };
  'batch.completed': ExecutionCounts;
};
export type ParallelEventName = keyof ParallelEvents;

/** The one method of a mitt emitter ergate uses. */
export interface EventBusLike {
  emit(type: string, event?: unknown): void;
}

/** Fans one lifecycle event out to the eventBus, onProgress and internal hooks. */
export class RunNotifier {
  readonly #onProgress: ProgressCallback | undefined;
  readonly #eventBus: EventBusLike | undefined;
  readonly #hooks: Array<<K extends ParallelEventName>(type: K, event: ParallelEvents[K]) => void>;

  constructor(
    onProgress: ProgressCallback | undefined,
    eventBus: EventBusLike | undefined,
    hooks: Array<<K extends ParallelEventName>(type: K, event: ParallelEvents[K]) => void> = [],
  ) {
    this.#onProgress = onProgress;
    this.#eventBus = eventBus;
    this.#hooks = hooks;
  }

  emit<K extends ParallelEventName>(type: K, event: ParallelEvents[K]): void {
    for (const hook of this.#hooks) guard(() => hook(type, event), type);
    if (this.#eventBus) guard(() => this.#eventBus!.emit(type, event), type);
    if (this.#onProgress) {
      const progress = toProgress(type, event);
      if (progress) guard(() => this.#onProgress!(...progress), type);
    }
  }
}

/** Maps an event onto the contract's onProgress triple, or null when it has none. */
function toProgress<K extends ParallelEventName>(
  type: K,
  event: ParallelEvents[K],
): [string, string, Record<string, unknown>] | null {
  switch (type) {
    case 'batch.started': {
      const e = event as ParallelEvents['batch.started'];
      return ['batch', 'started', { total: e.total, workers: e.workers }];
    }
    case 'script.submitted':
      return [(event as ParallelEvents['script.submitted']).name, 'submitted', {}];
    case 'script.finished': {
      const e = event as ParallelEvents['script.finished'];
      // Exactly { durationMs } as in the contract; attempts travel on the eventBus and the result.
      return [e.name, e.status, { durationMs: e.durationMs }];
    }
    case 'batch.completed':
      return ['batch', 'completed', { ...(event as ParallelEvents['batch.completed']) }];
    default:
      // script.started, script.sample and script.skipped are eventBus-only: the contract's onProgress
      // sequence is exactly submitted, then one finish per started script.
      return null;
  }
}

function guard(fn: () => void, type: string): void {
  try {
    fn();
  } catch (error) {
    debug('listener for %s threw: %o', type, error);
  }
}
