// One run's resource bookkeeping, between the runner's "start the next script" decision and
// the scripts it runs: memory admission, live tree samples and the tree memory cap, peaks,
// and the history each finished script leaves. Invariant: every begin() is matched by one
// finish(), which releases the script's admission share and stops its sampling.
import type { ScriptResult } from '../script/types.ts';
import type { HistoryStore } from './history-store.ts';
import { MemoryAdmission } from './memory-admission.ts';
import { RunEstimates } from './run-estimates.ts';
import { SampleSeries } from './sample-series.ts';
import { TreeSampler, type TreeSample } from './tree-sampler.ts';

export interface ResourceSettings {
  /** sampling interval in ms; 0 = no sampling */
  sampleMs: number;
  /** kill a script whose sampled tree passes this many MiB; null = no cap */
  treeMemoryLimitMb: number | null;
  /** start a script only if it fits this many MiB (resolved, not 'auto'); null = no admission */
  memoryBudgetMb: number | null;
  history: HistoryStore | null;
}

/** What run-plan hands over when a script's child runs. */
export interface StartedChild {
  pid: number;
  /** ends the child's tree: the cap was passed */
  stopForMemory(limitMb: number, peakMb: number): void;
}

/** A sample of a running script, with its peak so far. */
export type ScriptSample = TreeSample & { peakTreeRssKb: number };

export class RunResources {
  readonly estimates: RunEstimates;
  readonly #settings: ResourceSettings;
  readonly #admission: MemoryAdmission | null;
  readonly #sampler: TreeSampler | null;
  /** called after a sample, when room may have freed for a waiting script */
  #onRoom: () => void = () => undefined;

  constructor(settings: ResourceSettings) {
    this.#settings = settings;
    this.estimates = new RunEstimates(settings.history);
    this.#admission = settings.memoryBudgetMb === null ? null : new MemoryAdmission(settings.memoryBudgetMb);
    this.#sampler = settings.sampleMs > 0 ? new TreeSampler(settings.sampleMs) : null;
  }

  /** The runner's "start what fits" step, run after each sample. */
  whenRoomMayHaveFreed(pump: () => void): void {
    this.#onRoom = pump;
  }

  /** Whether the script may start now under the memory budget (always, without one). */
  mayStart(script: string): boolean {
    return this.#admission?.fits(this.estimates.predictedPeakKb(script)) ?? true;
  }

  /** Registers one attempt of a script that is about to start. */
  begin(script: string, onSample: (sample: ScriptSample) => void): ScriptUsage {
    const parts: RunParts = {
      admission: this.#admission,
      sampler: this.#sampler,
      settings: this.#settings,
      estimates: this.estimates,
      onRoom: this.#onRoom,
    };
    return new ScriptUsage(parts, script, onSample);
  }

  /** Stops sampling and compacts the history if it grew too large. */
  close(): void {
    this.#sampler?.close();
    this.#settings.history?.compactIfNeeded();
  }
}

interface RunParts {
  admission: MemoryAdmission | null;
  sampler: TreeSampler | null;
  settings: ResourceSettings;
  estimates: RunEstimates;
  onRoom: () => void;
}

/** One attempt of one script: its admission share, its samples and its peak. */
export class ScriptUsage {
  readonly #run: RunParts;
  readonly #script: string;
  readonly #onSample: (sample: ScriptSample) => void;
  #peakKb: number | null = null;
  /** wall-clock ms of each sample; made offsets from the result's startTime at finish() */
  readonly #series = new SampleSeries();
  #unwatch: (() => void) | null = null;
  #stopped = false;

  constructor(run: RunParts, script: string, onSample: (sample: ScriptSample) => void) {
    this.#run = run;
    this.#script = script;
    this.#onSample = onSample;
    run.admission?.started(this, run.estimates.predictedPeakKb(script));
  }

  /** The child runs: sample its tree until finish(). */
  started(child: StartedChild): void {
    const { sampler, admission, settings, onRoom } = this.#run;
    if (!sampler) return;
    const limitKb = settings.treeMemoryLimitMb === null ? Infinity : settings.treeMemoryLimitMb * 1024;
    // Under a cap or a budget every pass counts; otherwise a tree's first sample can wait an interval.
    const eager = limitKb !== Infinity || admission !== null;
    this.#unwatch = sampler.watch(
      child.pid,
      (sample) => {
        this.#peakKb = Math.max(this.#peakKb ?? 0, sample.treeRssKb);
        this.#series.add(Date.now(), sample.treeRssKb);
        admission?.sampled(this, sample.treeRssKb);
        this.#onSample({ ...sample, peakTreeRssKb: this.#peakKb });
        if (sample.treeRssKb > limitKb && !this.#stopped) {
          this.#stopped = true;
          // Rounded up: a peak of 120.3 MiB over a 120 MiB cap must not read "peak 120 MiB".
          child.stopForMemory(settings.treeMemoryLimitMb!, Math.ceil(this.#peakKb / 1024));
        }
        // Only the memory budget holds scripts back on samples; without it there is no room to free.
        if (admission) onRoom();
      },
      { eager },
    );
  }

  /**
   * The child ended: sampling stops, and what the samples add to its result (peakTreeRssKb,
   * memorySamples as offsets from `startedAt`), for the result builder. Nothing without a sampler.
   */
  adds(startedAt: number): Pick<ScriptResult, 'peakTreeRssKb' | 'memorySamples'> {
    this.#unwatch?.();
    this.#unwatch = null;
    if (!this.#run.sampler) return {};
    return {
      peakTreeRssKb: this.#peakKb,
      memorySamples: this.#series.points().map(([at, kb]) => [Math.max(0, at - startedAt), kb]),
    };
  }

  /** The attempt ended: free its share, record its peak and history. */
  finish(result: ScriptResult): void {
    const { admission, settings } = this.#run;
    this.#unwatch?.();
    this.#unwatch = null;
    admission?.finished(this);
    const peakKb = this.#peakKb ?? result.peakRssKb ?? null;
    this.#run.estimates.recordPeak(peakKb);
    // A script that never ran (cancelled before it started, missing file) says nothing about its cost.
    if (result.pid === undefined || result.pid === null || result.status === 'cancelled') return;
    settings.history?.append({
      script: this.#script,
      durationMs: result.durationMs,
      peakKb,
      status: result.status,
      at: Date.now(),
    });
  }
}
