// The resource options of ParallelRunner and runScripts() (sampling, the tree memory cap,
// memory admission, history, order, percent timeouts): their types with defaults, their
// valibot entries for the runners' strict schemas, and the one function that turns them into
// a run's ResourceSettings. Invariant: a setting that cannot work is a TypeError up front.
import * as v from 'valibot';
import { expected, positiveNumber, timeoutMs } from '../internal/option-schemas.ts';
import { HistoryStore } from './history-store.ts';
import { resolveMemoryBudgetMb } from './memory-admission.ts';
import type { ResourceSettings } from './run-resources.ts';
import { RUN_ORDERS, type RunOrder } from './run-order.ts';
import { DEFAULT_SAMPLE_MS } from './tree-sampler.ts';

export interface ResourceRunnerOptions {
  /** Sample each running script's process tree (memory, CPU %) this often; 0 = off. @default 500 */
  sampleMs?: number;
  /** Kill a script whose sampled process tree holds more than this many MiB ('failed'). @default none */
  treeMemoryLimitMb?: number;
  /** Start a script only when its predicted peak fits beside the running ones; 'auto' = 80% of MemAvailable. @default none */
  memoryBudgetMb?: number | 'auto';
  /** Path of the run history file (durations, peaks), or false for none. @default false (the CLI: .ergate/history.ndjson) */
  history?: string | false;
  /** Start order: as given, longest median duration first, or last-failed first. @default 'given' */
  order?: RunOrder;
}

export const percentTimeoutSchema = v.strictObject(
  {
    percentOfMedian: positiveNumber,
    minMs: v.optional(positiveNumber),
    maxMs: v.optional(positiveNumber),
  },
  expected('a number of ms or { percentOfMedian, minMs?, maxMs? }'),
);

/** timeoutMs of runScripts(): ms (Infinity: none), or a percentage of each script's median from history. */
export const timeoutSettingSchema = v.union(
  [timeoutMs, percentTimeoutSchema],
  expected('a positive number of ms (Infinity for none) or { percentOfMedian, minMs?, maxMs? }'),
);

export const orderSchema = v.picklist(RUN_ORDERS, expected(RUN_ORDERS.map((o) => `'${o}'`).join(', ')));

/** Entries spread into the ParallelRunner options schema. */
export const resourceRunnerEntries = {
  sampleMs: v.optional(
    v.pipe(
      v.number(expected('a number of ms >= 0')),
      v.integer(expected('an integer')),
      v.minValue(0, expected('a number of ms >= 0')),
    ),
  ),
  treeMemoryLimitMb: v.optional(positiveNumber),
  memoryBudgetMb: v.optional(
    v.union([positiveNumber, v.literal('auto')], expected("a positive number of MiB or 'auto'")),
  ),
  history: v.optional(
    v.union([v.pipe(v.string(), v.minLength(1)), v.literal(false)], expected('a file path or false')),
  ),
  order: v.optional(orderSchema),
};

/** The checks across options that the schema cannot make. */
export function checkResourceOptions(options: ResourceRunnerOptions, name: string): void {
  if (options.treeMemoryLimitMb !== undefined && options.sampleMs === 0) {
    throw new TypeError(`${name}.treeMemoryLimitMb: needs sampling, but sampleMs is 0`);
  }
}

/** Turns validated options into one run's settings; reads the history file and MemAvailable now. */
export function resolveResourceSettings(
  options: ResourceRunnerOptions,
  warn?: (message: string) => void,
): ResourceSettings {
  const sampleMs = options.sampleMs ?? DEFAULT_SAMPLE_MS;
  return {
    sampleMs,
    treeMemoryLimitMb: options.treeMemoryLimitMb ?? null,
    memoryBudgetMb: options.memoryBudgetMb === undefined ? null : resolveMemoryBudgetMb(options.memoryBudgetMb),
    history: options.history ? new HistoryStore(options.history, { warn }) : null,
  };
}
