// Turns the run history and this run's finished scripts into the estimates the scheduler
// uses: a script's median duration, its predicted memory peak, its last status. Invariant:
// an estimate exists only when it rests on a measurement; unknown is null, never a guess.
import type { ScriptStatus } from '../script/types.ts';
import type { HistoryStore } from './history-store.ts';

/** The median of the values, or null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** "The median peak so far" looks at this many of the latest peaks, so it stays O(1) per script. */
const PEAK_WINDOW = 255;

export class RunEstimates {
  readonly #history: HistoryStore | null;
  /** the latest peaks of scripts finished in this run (a bounded window), for scripts without history */
  readonly #peaksThisRun: number[] = [];
  /** median of #peaksThisRun, computed when first asked for after a new peak */
  #medianPeakThisRun: number | null | undefined = null;

  constructor(history: HistoryStore | null) {
    this.#history = history;
  }

  /** The script's median duration over its recorded runs, or null without history. */
  medianDurationMs(script: string): number | null {
    return median(this.#runs(script).map((run) => run.durationMs));
  }

  /** The script's own peak from history, else the median peak so far this run, else null. */
  predictedPeakKb(script: string): number | null {
    const own = this.#runs(script).flatMap((run) => (run.peakKb === null ? [] : [run.peakKb]));
    if (own.length > 0) return Math.max(...own);
    this.#medianPeakThisRun ??= median(this.#peaksThisRun);
    return this.#medianPeakThisRun;
  }

  /** How the script's most recent recorded run ended, or null without history. */
  lastStatus(script: string): ScriptStatus | null {
    const runs = this.#runs(script);
    return runs.length > 0 ? runs[runs.length - 1].status : null;
  }

  /** A peak measured in this run (feeds predictions for scripts without history). */
  recordPeak(peakKb: number | null): void {
    if (peakKb === null) return;
    this.#peaksThisRun.push(peakKb);
    if (this.#peaksThisRun.length > PEAK_WINDOW) this.#peaksThisRun.shift();
    this.#medianPeakThisRun = undefined;
  }

  #runs(script: string) {
    return this.#history?.runs(script) ?? [];
  }
}
