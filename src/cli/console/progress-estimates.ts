// Owns what the progress bar says beyond counts: the ETA from each script's median duration
// in the run history, and the heaviest running scripts by their latest tree-memory sample.
// Invariant: the ETA is null (the bar falls back to its own rate) unless every unfinished
// script has a history, so it never rests on a guess.
import type { ParallelEvents } from '../../parallel/events.ts';

interface Entry {
  expectedMs: number | null;
  startedAt: number | null;
  treeRssKb: number | null;
}

export class ProgressEstimates {
  readonly #entries = new Map<string, Entry>();
  #workers = 1;
  #unknown = 0;

  batchStarted(workers: number): void {
    this.#workers = Math.max(1, workers);
  }

  submitted(event: ParallelEvents['script.submitted']): void {
    const expectedMs = event.expectedMs ?? null;
    if (expectedMs === null) this.#unknown += 1;
    this.#entries.set(event.script, { expectedMs, startedAt: null, treeRssKb: null });
  }

  started(script: string, now = Date.now()): void {
    const entry = this.#entries.get(script);
    if (entry) entry.startedAt = now;
  }

  sampled(event: ParallelEvents['script.sample']): void {
    const entry = this.#entries.get(event.script);
    if (entry) entry.treeRssKb = event.treeRssKb;
  }

  finished(script: string): void {
    const entry = this.#entries.get(script);
    if (!entry) return;
    if (entry.expectedMs === null) this.#unknown -= 1;
    this.#entries.delete(script);
  }

  /** Seconds left: expected work left spread over the workers; null without full history. */
  etaS(now = Date.now()): number | null {
    if (this.#unknown > 0 || this.#entries.size === 0) return null;
    let left = 0;
    for (const entry of this.#entries.values()) {
      left += Math.max(0, entry.expectedMs! - (entry.startedAt === null ? 0 : now - entry.startedAt));
    }
    return Math.round(left / Math.min(this.#workers, this.#entries.size) / 1000);
  }

  /** The running scripts with the most tree memory first, as [script, KiB]. */
  heaviest(count: number): Array<[string, number]> {
    const sampled: Array<[string, number]> = [];
    for (const [script, entry] of this.#entries) {
      if (entry.startedAt !== null && entry.treeRssKb !== null) sampled.push([script, entry.treeRssKb]);
    }
    return sampled.sort((a, b) => b[1] - a[1]).slice(0, count);
  }
}
