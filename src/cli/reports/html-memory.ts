// The memory chart's data: every attempt's sampled tree memory laid on one time grid and
// stacked, the scripts with the highest peaks as bands of their own and the rest as one band,
// so the chart costs the same for 10 scripts or 100,000. Between samples an attempt holds its
// last value; a grid step holds the largest sample taken in it, so no peak falls between steps.
import type { MemorySeries, PageMemory } from './html-page-data.ts';

/** Grid steps across the run (the chart is at most a few thousand pixels wide). */
const STEPS = 600;
/** Scripts drawn as their own band; every other script shares one. */
const OWN_BANDS = 8;

export interface SampledAttempt {
  /** ms from the run's first start */
  start: number;
  duration: number;
  script: number;
  peakKb: number;
  /** [offset ms, KiB] pairs, flattened */
  samples: number[];
}

export function stackMemory(attempts: SampledAttempt[], spanMs: number, label: (script: number) => string): PageMemory {
  const stepMs = Math.max(1, Math.ceil(spanMs / STEPS));
  const steps = Math.max(1, Math.ceil(spanMs / stepMs) + 1);
  const own = ownBandScripts(attempts);
  const series: MemorySeries[] = own.map(([script, peakKb]) => ({
    label: label(script),
    script,
    peakKb,
    values: new Array<number>(steps).fill(0),
  }));
  const other: MemorySeries = {
    label: 'other scripts',
    script: -1,
    peakKb: 0,
    values: new Array<number>(steps).fill(0),
  };
  const bandOf = new Map(own.map(([script], i) => [script, series[i]]));
  // Per step, the one script holding the most memory: names the peak.
  const topKb = new Array<number>(steps).fill(0);
  const topScript = new Array<number>(steps).fill(-1);
  for (const attempt of attempts) {
    const band = bandOf.get(attempt.script) ?? other;
    if (band === other) other.peakKb = Math.max(other.peakKb, attempt.peakKb);
    forEachStep(attempt, stepMs, steps, (step, kb) => {
      band.values[step] += kb;
      if (kb > topKb[step]) {
        topKb[step] = kb;
        topScript[step] = attempt.script;
      }
    });
  }
  if (other.values.some((kb) => kb > 0)) series.push(other);
  let peakStep = 0;
  let peakTotalKb = 0;
  for (let step = 0; step < steps; step++) {
    let total = 0;
    for (const band of series) total += band.values[step];
    if (total > peakTotalKb) [peakTotalKb, peakStep] = [total, step];
  }
  return { stepMs, series, peakTotalKb, peakAtMs: peakStep * stepMs, peakScript: topScript[peakStep] };
}

/** The OWN_BANDS scripts with the highest sampled peaks, highest first, as [script, peak KiB]. */
function ownBandScripts(attempts: SampledAttempt[]): [number, number][] {
  const peaks = new Map<number, number>();
  for (const a of attempts) if (a.samples.length > 0) peaks.set(a.script, Math.max(peaks.get(a.script) ?? 0, a.peakKb));
  return [...peaks].sort((a, b) => b[1] - a[1]).slice(0, OWN_BANDS);
}

/** Calls visit(step, KiB) for each grid step the attempt overlaps once it has been sampled. */
function forEachStep(
  a: SampledAttempt,
  stepMs: number,
  steps: number,
  visit: (step: number, kb: number) => void,
): void {
  if (a.samples.length === 0) return;
  const first = Math.floor(a.start / stepMs);
  const last = Math.min(steps - 1, Math.floor((a.start + a.duration) / stepMs));
  let held = 0;
  let j = 0;
  for (let step = first; step <= last; step++) {
    const stepEnd = (step + 1) * stepMs;
    let largest = -1;
    while (j < a.samples.length && a.start + a.samples[j] < stepEnd) {
      largest = Math.max(largest, a.samples[j + 1]);
      held = a.samples[j + 1];
      j += 2;
    }
    const kb = largest >= 0 ? largest : held;
    if (kb > 0) visit(step, kb);
  }
}
