// BatchRunner: runs batches one after another, the scripts of a batch in parallel, all over
// ONE ParallelRunner (so one supervisor pool for every batch, never a pool per batch).
// With stopOnBatchFailure (the default) the first unsuccessful batch ends the sequence:
// the returned array then holds the results of the batches that ran.
import * as v from 'valibot';
import { expected, parseOrThrow } from '../internal/option-schemas.ts';
import { bindingSignals } from '../internal/current-scope.ts';
import type { ExecutionResult } from '../seam/execution-result.ts';
import type { ScriptConfig } from './build-plan.ts';
import type { StartMethod } from '../script/types.ts';
import type { ScriptPath } from '../script/validate-options.ts';
import { ParallelRunner, type ParallelRunnerOptions } from './parallel-runner.ts';
import {
  batchRunnerOptionsSchema,
  checkPreload,
  runBatchesOptionsSchema,
  scriptListSchema,
} from './validate-runner-options.ts';

export type BatchRunnerOptions = ParallelRunnerOptions;

export interface RunBatchesOptions {
  /** @default the runner's defaultTimeoutMs */
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string>;
  configs?: Record<string, ScriptConfig>;
  /** Stop after the first batch that is not a success. @default true */
  stopOnBatchFailure?: boolean;
  /** Aborting cancels the batch in progress and starts no further batch. */
  signal?: AbortSignal;
  /** @default the runner's startMethod */
  startMethod?: StartMethod;
  /** @default the runner's preload (with startMethod 'forkserver') */
  preload?: string[];
  /** Not bound to the scope of the task runBatches() is called in. @default false */
  detached?: boolean;
}

const batchListSchema = v.array(scriptListSchema, expected('an array of script-path arrays'));

export class BatchRunner {
  readonly #runner: ParallelRunner;
  readonly #startMethod: StartMethod | undefined;
  /** Bumped by cancel(): a runBatches call that sees it change starts no further batch. */
  #cancellations = 0;

  constructor(options: BatchRunnerOptions = {}) {
    const parsed = parseOrThrow(batchRunnerOptionsSchema, options, 'BatchRunner options');
    checkPreload(parsed.preload, parsed.startMethod, 'BatchRunner options');
    this.#runner = new ParallelRunner(options);
    this.#startMethod = parsed.startMethod;
  }

  get maxWorkers(): number {
    return this.#runner.maxWorkers;
  }

  async runBatches(batches: ScriptPath[][], options: RunBatchesOptions = {}): Promise<ExecutionResult[]> {
    const list = parseOrThrow(batchListSchema, batches, 'batches');
    const opts = parseOrThrow(runBatchesOptionsSchema, options, 'runBatches options');
    const stopOnBatchFailure = opts.stopOnBatchFailure ?? true;
    // Checked here too, so a bad combination is refused before the first batch, not after it.
    checkPreload(opts.preload, opts.startMethod ?? this.#startMethod, 'runBatches options');
    const results: ExecutionResult[] = [];
    const cancellations = this.#cancellations;
    // Bound to the caller's task scope at the call (each batch's run binds to it as well).
    const scopes = bindingSignals(opts.signal, opts.detached);
    for (const batch of list) {
      if (scopes.some((signal) => signal.aborted) || this.#cancellations !== cancellations) break;
      const result = await this.#runner.runScripts(batch, {
        timeoutMs: opts.timeoutMs,
        cwd: opts.cwd,
        env: opts.env,
        configs: opts.configs,
        signal: opts.signal,
        ...(opts.detached === true && { detached: true }),
        ...(opts.startMethod !== undefined && { startMethod: opts.startMethod }),
        ...(opts.preload !== undefined && { preload: opts.preload }),
      });
      results.push(result);
      if (stopOnBatchFailure && !result.success) break;
    }
    return results;
  }

  /** Cancels the batch in progress (its running scripts are killed) and starts no further batch. */
  cancel(): void {
    this.#cancellations += 1;
    this.#runner.cancel();
  }

  close(): Promise<void> {
    return this.#runner.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
