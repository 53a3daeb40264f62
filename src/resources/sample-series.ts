// A script's memory over time kept in bounded space: the samples of one attempt as
// [ms since the attempt started, tree KiB] pairs, at most `limit` of them however long it ran.
// When full, neighbouring points are merged pairwise and later samples are taken every 2nd,
// 4th, ... pass; a merge keeps the larger sample, so the series never hides the peak.

/** [ms since the attempt started, sampled tree memory in KiB] */
export type MemoryPoint = [offsetMs: number, treeRssKb: number];

/** @default points a script's series keeps (ScriptResult.memorySamples) */
export const MEMORY_POINTS = 64;

export class SampleSeries {
  readonly #limit: number;
  readonly #points: MemoryPoint[] = [];
  /** samples merged into one point (doubles each time the series fills up) */
  #stride = 1;
  /** the point being built from the current stride's samples */
  #pending: MemoryPoint | null = null;
  #pendingCount = 0;

  constructor(limit = MEMORY_POINTS) {
    if (!Number.isInteger(limit) || limit < 2) throw new TypeError(`limit must be an integer >= 2 (got ${limit})`);
    this.#limit = limit;
  }

  add(offsetMs: number, treeRssKb: number): void {
    const point: MemoryPoint = [Math.round(offsetMs), treeRssKb];
    this.#pending = this.#pending === null ? point : larger(this.#pending, point);
    this.#pendingCount += 1;
    if (this.#pendingCount < this.#stride) return;
    this.#points.push(this.#pending);
    this.#pending = null;
    this.#pendingCount = 0;
    if (this.#points.length >= this.#limit) this.#halve();
  }

  /** The series so far (the last, partly merged samples included), oldest first. */
  points(): MemoryPoint[] {
    return this.#pending === null ? [...this.#points] : [...this.#points, this.#pending];
  }

  #halve(): void {
    const merged: MemoryPoint[] = [];
    for (let i = 0; i < this.#points.length; i += 2) {
      const next = this.#points[i + 1];
      merged.push(next === undefined ? this.#points[i] : larger(this.#points[i], next));
    }
    this.#points.splice(0, this.#points.length, ...merged);
    this.#stride *= 2;
  }
}

/** The point with more memory (the earlier one on a tie). */
function larger(a: MemoryPoint, b: MemoryPoint): MemoryPoint {
  return b[1] > a[1] ? b : a;
}

/** At most `limit` points of `points`, merged the same way (keeps each pair's larger). */
export function thinPoints(points: readonly MemoryPoint[], limit: number): MemoryPoint[] {
  let out = [...points];
  while (out.length > limit) {
    const merged: MemoryPoint[] = [];
    for (let i = 0; i < out.length; i += 2) merged.push(i + 1 < out.length ? larger(out[i], out[i + 1]) : out[i]);
    out = merged;
  }
  return out;
}
