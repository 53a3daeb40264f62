// Owns --shard i/n: splitting one run across n CI machines. Script k of the sorted, filtered
// list goes to shard (k mod n) + 1, so every machine given the same tree and flags picks a
// disjoint share, the shares cover every script exactly once, and sizes differ by at most one.
import { badSetting } from '../settings/setting-values.ts';

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw badSetting('--shard', 'i/n with 1 <= i <= n, e.g. 2/4', text);
  }
  return { index, count };
}

export function selectShard<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, k) => k % shard.count === shard.index - 1);
}
