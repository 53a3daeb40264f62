// Turns how a forked script ended into a ScriptResult status and a plain-language error.
// Kept apart from run-forked.ts so the wording can be checked (and later shared) alone.
import { constants } from 'node:os';
import type { ScriptSpec, ScriptStatus } from '../types.ts';
import type { ForkExit } from './protocol.ts';

/** Why ergate itself ended the run, if it did; the first reason wins. */
export type StopReason = 'timeout' | 'cancelled' | null;

export interface ExitOutcome {
  status: ScriptStatus;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
}

export function nameSignal(signalNumber: number): string {
  const entry = Object.entries(constants.signals).find(([, n]) => n === signalNumber);
  return entry ? entry[0] : `signal ${signalNumber}`;
}

export function describeExit(spec: ScriptSpec, exit: ForkExit, stop: StopReason, stderr: string): ExitOutcome {
  const exitCode = exit.code >= 0 ? exit.code : null;
  const signal = exit.code < 0 ? nameSignal(-exit.code) : null;
  if (stop === 'timeout') {
    return { status: 'timeout', exitCode, signal, error: `timed out after ${spec.timeoutMs} ms` };
  }
  if (stop === 'cancelled') return { status: 'cancelled', exitCode, signal, error: 'cancelled' };
  if (signal === 'SIGXCPU' && spec.cpuTimeLimitS !== null) {
    return { status: 'failed', exitCode, signal, error: `CPU time limit of ${spec.cpuTimeLimitS} s exceeded` };
  }
  if (signal !== null) return { status: 'failed', exitCode, signal, error: `killed by ${signal}` };
  if (spec.allowedExitCodes.includes(exit.code)) return { status: 'passed', exitCode, signal, error: null };
  if (spec.memoryLimitMb !== null && /^MemoryError\b/m.test(stderr)) {
    const error = `memory limit of ${spec.memoryLimitMb} MiB exceeded (MemoryError)`;
    return { status: 'failed', exitCode, signal, error };
  }
  return { status: 'failed', exitCode, signal, error: `exited with code ${exit.code}` };
}
