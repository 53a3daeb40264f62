// Orders a run's scripts before they start: as given, longest processing time first (from
// each script's median duration in the history), or those that failed last time first.
// Invariant: the result is a permutation of the input, stable among equals; sharding
// splits the list before it is ordered, so every shard orders only its own scripts.
import type { RunEstimates } from './run-estimates.ts';
import { median } from './run-estimates.ts';

export type RunOrder = 'given' | 'longest-first' | 'failed-first';

export const RUN_ORDERS: readonly RunOrder[] = ['given', 'longest-first', 'failed-first'];

/** A new array of the items in the order asked for. */
export function orderScripts<T extends { script: string }>(
  items: readonly T[],
  order: RunOrder,
  estimates: RunEstimates,
): T[] {
  if (order === 'given') return [...items];
  if (order === 'failed-first') {
    const failed = (item: T) => {
      const status = estimates.lastStatus(item.script);
      return status === 'failed' || status === 'timeout' || status === 'error';
    };
    return [...items.filter(failed), ...items.filter((item) => !failed(item))];
  }
  // Longest first; a script without history is taken to last as long as the median script.
  const known = items.map((item) => estimates.medianDurationMs(item.script));
  const typical = median(known.filter((d): d is number => d !== null)) ?? 0;
  return items
    .map((item, i) => ({ item, i, duration: known[i] ?? typical }))
    .sort((a, b) => b.duration - a.duration || a.i - b.i)
    .map(({ item }) => item);
}
