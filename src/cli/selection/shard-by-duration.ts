// Owns --shard I/N with --durations-file: scripts are dealt longest first to the shard with
// the least total so far (LPT), so the slowest CI machine finishes close to the others.
// Deterministic on every machine given the same file and tree: durations are looked up by
// the path relative to the working folder, ties go by path (code-point order) and then to
// the lowest shard; a script missing from the file counts as the file's median.
import { median } from '../../resources/run-estimates.ts';
import type { Shard } from './shard.ts';

/** Each shard's scripts (in the order given) and its expected total, for shards 1..count. */
export interface DealtShard {
  scripts: string[];
  totalMs: number;
}

/** Deals `scripts` (any order) over `count` shards by their expected durations. */
export function dealByDuration(
  scripts: readonly string[],
  count: number,
  durationOf: (script: string) => number | undefined,
): DealtShard[] {
  const known = scripts.map(durationOf);
  const typical = median(known.filter((d): d is number => d !== undefined)) ?? 1;
  const items = scripts.map((script, i) => ({ script, i, ms: known[i] ?? typical }));
  items.sort((a, b) => b.ms - a.ms || (a.script < b.script ? -1 : a.script > b.script ? 1 : 0));
  const shards = Array.from({ length: count }, () => ({ members: [] as number[], totalMs: 0 }));
  for (const item of items) {
    let least = 0;
    for (let k = 1; k < count; k++) if (shards[k].totalMs < shards[least].totalMs) least = k;
    shards[least].members.push(item.i);
    shards[least].totalMs += item.ms;
  }
  return shards.map(({ members, totalMs }) => ({
    scripts: members.sort((a, b) => a - b).map((i) => scripts[i]),
    totalMs,
  }));
}

/** This machine's share: shard `shard.index` of the deal. */
export function selectShardByDuration(
  scripts: readonly string[],
  shard: Shard,
  durationOf: (script: string) => number | undefined,
): string[] {
  return dealByDuration(scripts, shard.count, durationOf)[shard.index - 1].scripts;
}
