// Holds the run history in memory: each run as a row of typed arrays linked to the script's
// previous run, and each script as one map entry pointing at its latest row, so memory
// grows with the runs recorded (about 30 bytes each), never with record objects.
// Invariant: get() returns a script's runs oldest first, at most `keep` of them.
import type { ScriptStatus } from '../script/types.ts';
import type { HistoryRecord, PastRun } from './history-store.ts';

const STATUSES: readonly ScriptStatus[] = ['passed', 'failed', 'timeout', 'error', 'cancelled'];
/** status -> its code in the arrays; also the set of statuses a history line may hold */
export const STATUS_CODE: ReadonlyMap<string, number> = new Map(STATUSES.map((status, i) => [status, i]));

export class RunSlots {
  readonly #keep: number;
  /** script -> its slot: the row of its latest run and how many runs it keeps */
  readonly #slot = new Map<string, number>();
  #latest = new Int32Array(0);
  #kept = new Uint32Array(0);
  #rows = 0;
  #duration = new Float64Array(0);
  /** NaN: unknown */
  #peak = new Float64Array(0);
  #at = new Float64Array(0);
  #status = new Uint8Array(0);
  /** the row of the same script's run before, -1 for none */
  #previous = new Int32Array(0);

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
    this.#rows = 0;
    this.#latest = new Int32Array(64);
    this.#kept = new Uint32Array(64);
    this.#growRows(64, false);
  }

  get(script: string): PastRun[] {
    const slot = this.#slot.get(script);
    if (slot === undefined) return [];
    const runs: PastRun[] = [];
    for (let n = this.#kept[slot], row = this.#latest[slot]; n > 0; n--, row = this.#previous[row]) {
      const peak = this.#peak[row];
      runs.push({
        durationMs: this.#duration[row],
        peakKb: Number.isNaN(peak) ? null : peak,
        status: STATUSES[this.#status[row]],
        at: this.#at[row],
      });
    }
    return runs.reverse();
  }

  add(record: HistoryRecord): void {
    let slot = this.#slot.get(record.script);
    if (slot === undefined) {
      slot = this.#slot.size;
      if (slot >= this.#latest.length) {
        this.#latest = grown(this.#latest, new Int32Array(this.#latest.length * 2));
        this.#kept = grown(this.#kept, new Uint32Array(this.#kept.length * 2));
      }
      this.#slot.set(record.script, slot);
      this.#kept[slot] = 0;
      this.#latest[slot] = -1;
    }
    if (this.#rows >= this.#duration.length) this.#growRows(this.#duration.length * 2, true);
    const row = this.#rows++;
    this.#duration[row] = record.durationMs;
    this.#peak[row] = record.peakKb ?? NaN;
    this.#at[row] = record.at;
    this.#status[row] = STATUS_CODE.get(record.status)!;
    this.#previous[row] = this.#latest[slot];
    this.#latest[slot] = row;
    this.#kept[slot] = Math.min(this.#keep, this.#kept[slot] + 1);
  }

  #growRows(rows: number, copy: boolean): void {
    const sized = <T extends Float64Array | Uint8Array | Int32Array>(old: T, fresh: T): T =>
      copy ? grown(old, fresh) : fresh;
    this.#duration = sized(this.#duration, new Float64Array(rows));
    this.#peak = sized(this.#peak, new Float64Array(rows));
    this.#at = sized(this.#at, new Float64Array(rows));
    this.#status = sized(this.#status, new Uint8Array(rows));
    this.#previous = sized(this.#previous, new Int32Array(rows));
  }
}

function grown<T extends Float64Array | Uint8Array | Int32Array | Uint32Array>(old: T, fresh: T): T {
  fresh.set(old);
  return fresh;
}
