// Why ergate ended a running script, as an extensible union, and the one place that words
// each reason into a result's status and error. The first reason wins (the launcher keeps
// the order: its own deadline against stop requests); a new reason (issue 18's tree memory
// cap) is one more member here and one more case in describeStop.
import { timedOutAfter } from '../internal/cancellation.ts';
import type { ScriptStatus } from './types.ts';

export type StopReason =
  /** the launcher's deadline passed */
  | { kind: 'timeout'; timeoutMs: number }
  /** the caller's AbortSignal, a runner's cancel/fail-fast/close; message is the full text */
  | { kind: 'cancelled'; message: string }
  /** the process tree went over a memory cap (a sampler on the main thread decided) */
  | { kind: 'memory'; limitMb: number; peakMb?: number };

/** The status and plain-language error a run stopped for `reason` reports. */
export function describeStop(reason: StopReason): { status: ScriptStatus; error: string } {
  switch (reason.kind) {
    case 'timeout':
      return { status: 'timeout', error: timedOutAfter(reason.timeoutMs) };
    case 'cancelled':
      return { status: 'cancelled', error: reason.message };
    case 'memory':
      return {
        status: 'failed',
        error: `memory limit of ${reason.limitMb} MiB exceeded by the process tree${reason.peakMb === undefined ? '' : ` (peak ${reason.peakMb} MiB)`}`,
      };
  }
}
