// Owns the CLI flags of resource-aware runs (issue 18): --timeout P% with --timeout-min and
// --timeout-max, --order, --tree-memory, --memory-budget, --no-history, --sample. Each bad
// value is a UsageError naming the flag; the run history is on unless --no-history.
import type { RunOrder } from '../../resources/run-order.ts';
import { RUN_ORDERS } from '../../resources/run-order.ts';
import { badSetting, readDuration, readMemoryMb, readTimeout } from './setting-values.ts';
import { UsageError } from './usage.ts';

export const RESOURCE_FLAGS = {
  'timeout-min': { type: 'string' },
  'timeout-max': { type: 'string' },
  order: { type: 'string' },
  'tree-memory': { type: 'string' },
  'memory-budget': { type: 'string' },
  'no-history': { type: 'boolean' },
  sample: { type: 'string' },
} as const;

export interface ResourceCliOptions {
  /** --timeout 300%: 3x each script's median from the history */
  timeoutPercent?: number;
  timeoutMinMs?: number;
  timeoutMaxMs?: number;
  order?: RunOrder;
  treeMemoryMb?: number;
  memoryBudgetMb?: number | 'auto';
  /** false with --no-history */
  history: boolean;
  /** --sample T: sampling interval; 0 turns sampling off */
  sampleMs?: number;
}

type ResourceValues = {
  [K in keyof typeof RESOURCE_FLAGS]?: (typeof RESOURCE_FLAGS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** `timeout` is --timeout's text: a percentage is taken here, a duration is left to the caller. */
export function parseResourceFlags(values: ResourceValues, timeout: string | undefined): ResourceCliOptions {
  const percent = timeout === undefined ? null : /^\s*(\d+(?:\.\d+)?)%\s*$/.exec(timeout);
  if (percent && !(Number(percent[1]) > 0)) throw badSetting('--timeout', 'a percentage above 0%', timeout!);
  for (const flag of ['timeout-min', 'timeout-max'] as const) {
    if (values[flag] !== undefined && !percent)
      throw new UsageError(`--${flag} needs --timeout P% (a share of each script's median time)`);
  }
  const order = values.order;
  if (order !== undefined && !(RUN_ORDERS as readonly string[]).includes(order)) {
    throw badSetting('--order', `one of ${RUN_ORDERS.join(', ')}`, order);
  }
  const budget = values['memory-budget'];
  const history = !(values['no-history'] ?? false);
  if ((order === 'longest-first' || order === 'failed-first' || percent) && !history) {
    throw new UsageError(`${percent ? '--timeout P%' : `--order ${order}`} needs the run history: drop --no-history`);
  }
  if (values['tree-memory'] !== undefined && values.sample !== undefined && values.sample.trim() === '0')
    throw new UsageError('--tree-memory needs the tree sampled: it cannot go with --sample 0 (sampling off)');
  return {
    ...(percent && { timeoutPercent: Number(percent[1]) }),
    ...(values['timeout-min'] !== undefined && {
      timeoutMinMs: readDuration('--timeout-min', values['timeout-min']),
    }),
    ...(values['timeout-max'] !== undefined && {
      timeoutMaxMs: readDuration('--timeout-max', values['timeout-max']),
    }),
    ...(order !== undefined && { order: order as RunOrder }),
    ...(values['tree-memory'] !== undefined && { treeMemoryMb: readMemoryMb('--tree-memory', values['tree-memory']) }),
    ...(budget !== undefined && {
      memoryBudgetMb: budget.trim() === 'auto' ? 'auto' : readMemoryMb('--memory-budget', budget),
    }),
    history,
    ...(values.sample !== undefined && { sampleMs: readSampleMs(values.sample) }),
  };
}

/** --sample 250ms, --sample 1s, or --sample 0 (off). */
function readSampleMs(text: string): number {
  if (text.trim() === '0') return 0;
  const ms = readTimeout('--sample', text);
  if (!Number.isFinite(ms)) throw badSetting('--sample', 'an interval such as 500ms or 1s, or 0 for none', text);
  return Math.max(1, Math.round(ms));
}
