// Resolves a script's timeout: an absolute number, or a percentage of the script's own
// median duration from the run history, clamped to [minMs, maxMs]. A script without
// history gets maxMs (the absolute timeout). Invariant: the result is a positive integer.
import type { RunEstimates } from './run-estimates.ts';

/** `--timeout 300%`: 3x the script's own median duration. */
export interface PercentTimeout {
  /** e.g. 300 for 3x the median */
  percentOfMedian: number;
  /** floor. @default 1_000 */
  minMs?: number;
  /** ceiling, and the timeout of a script without history. @default the runner's defaultTimeoutMs */
  maxMs?: number;
}

export type TimeoutSetting = number | PercentTimeout;

/** Floor of a percent timeout when none is given: a 5 ms script still gets a second. */
export const DEFAULT_PERCENT_MIN_MS = 1_000;

/** The timeout in ms for one script. `absoluteMs` is the default when maxMs is not given. */
export function resolveTimeoutMs(setting: TimeoutSetting, medianMs: number | null, absoluteMs: number): number {
  if (typeof setting === 'number') return setting;
  const maxMs = setting.maxMs ?? absoluteMs;
  if (medianMs === null) return maxMs;
  const minMs = Math.min(setting.minMs ?? DEFAULT_PERCENT_MIN_MS, maxMs);
  return Math.max(1, Math.round(Math.min(maxMs, Math.max(minMs, (medianMs * setting.percentOfMedian) / 100))));
}

/** Timeout of a script by path, from its history in `estimates`. */
export function timeoutFor(
  setting: TimeoutSetting,
  script: string,
  estimates: RunEstimates,
  absoluteMs: number,
): number {
  return resolveTimeoutMs(setting, typeof setting === 'number' ? null : estimates.medianDurationMs(script), absoluteMs);
}
