// Holds the run history in memory: each script's latest `keep` runs in typed arrays, so a
// script costs one map entry and `keep` fixed slots, never record objects or strings.
// Invariant: get() returns a script's runs oldest first, at most `keep` of them.
import type { ScriptStatus } from '../script/types.ts';
import type { HistoryRecord, PastRun } from './history-store.ts';

const STATUSES: readonly ScriptStatus[] = ['passed', 'failed', 'timeout', 'error', 'cancelled'];
/** status -> its code in the arrays; also the set of statuses a history line may hold */
export const STATUS_CODE: ReadonlyMap<string, number> = new Map(STATUSES.map((status, i) => [status, i]));

/** Each script's latest `keep` runs in typed arrays: a map entry and fixed slots per script. */
export class RunSlots {
  readonly #keep: number;
  readonly #slot = new Map<string, number>();
  #count = new Uint32Array(0);
  #duration = new Float64Array(0);
  /** NaN: unknown */
  #peak = new Float64Array(0);
  #at = new Float64Array(0);
  #status = new Uint8Array(0);

  constructor(keep: number) {
    this.#keep = keep;
    this.clear();
  }

  get size(): number {
    return this.#slot.size;
  }

  scripts(): IterableIterator<string> {
    return this.#slot.keys();
  }

  clear(): void {
    this.#slot.clear();
    this.#grow(64, false);
  }

  get(script: string): PastRun[] {
    const slot = this.#slot.get(script);
    if (slot === undefined) return [];
    const runs: PastRun[] = [];
    for (let i = slot * this.#keep, end = i + this.#count[slot]; i < end; i++) {
      const peak = this.#peak[i];
      runs.push({ durationMs: this.#duration[i], peakKb: Number.isNaN(peak) ? null : peak, status: STATUSES[this.#status[i]], at: this.#at[i] });
    }
    return runs;
  }

  add(record: HistoryRecord): void {
    let slot = this.#slot.get(record.script);
    if (slot === undefined) {
      slot = this.#slot.size;
      if (slot >= this.#count.length) this.#grow(this.#count.length * 2, true);
      this.#slot.set(record.script, slot);
    }
    const base = slot * this.#keep;
    let n = this.#count[slot];
    if (n === this.#keep) {
      // Drop the oldest: shift the slot's runs down by one (keep is small).
      this.#duration.copyWithin(base, base + 1, base + n);
      this.#peak.copyWithin(base, base + 1, base + n);
      this.#at.copyWithin(base, base + 1, base + n);
      this.#status.copyWithin(base, base + 1, base + n);
      n -= 1;
    }
    const i = base + n;
    this.#duration[i] = record.durationMs;
    this.#peak[i] = record.peakKb ?? NaN;
    this.#at[i] = record.at;
    this.#status[i] = STATUS_CODE.get(record.status)!;
    this.#count[slot] = n + 1;
  }

  #grow(scripts: number, copy: boolean): void {
    const sized = <T extends Float64Array | Uint8Array | Uint32Array>(old: T, fresh: T): T => {
      if (copy) fresh.set(old);
      return fresh;
    };
    const runs = scripts * this.#keep;
    this.#count = sized(this.#count, new Uint32Array(scripts));
    this.#duration = sized(this.#duration, new Float64Array(runs));
    this.#peak = sized(this.#peak, new Float64Array(runs));
    this.#at = sized(this.#at, new Float64Array(runs));
    this.#status = sized(this.#status, new Uint8Array(runs));
  }
}
