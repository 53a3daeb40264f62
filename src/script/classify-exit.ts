// Decides a finished run's status and its plain-language error from how the child ended.
// The first stop reason (timeout, cancel, close) wins over the exit itself; otherwise the
// exit code against allowedExitCodes, the signal, and the preamble's report tell the story.
import type { ChildOutcome } from './spawn-child.ts';
import type { ScriptSpec, ScriptStatus } from './types.ts';

export interface StopReason {
  /** 'failed': the caller's memory cap for the process tree */
  status: 'timeout' | 'cancelled' | 'failed';
  message: string;
}

export function classifyExit(
  spec: ScriptSpec,
  outcome: ChildOutcome,
  stop: StopReason | null,
): { status: ScriptStatus; error: string | null } {
  if (stop) return { status: stop.status, error: stop.message };
  const { exitCode, signal, report } = outcome;
  if (signal) {
    const cpuLimit = spec.cpuTimeLimitS;
    // RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one (soft + 1 s).
    if (cpuLimit !== null && (signal === 'SIGXCPU' || (signal === 'SIGKILL' && overCpu(outcome, cpuLimit)))) {
      return { status: 'failed', error: `CPU time limit of ${cpuLimit} s exceeded` };
    }
    return { status: 'failed', error: `killed by signal ${signal}` };
  }
  if (exitCode !== null && spec.allowedExitCodes.includes(exitCode)) return { status: 'passed', error: null };
  const exception = report?.exception;
  if (exception === 'MemoryError' && spec.memoryLimitMb !== null) {
    return { status: 'failed', error: `memory limit of ${spec.memoryLimitMb} MiB exceeded (MemoryError)` };
  }
  const allowed = spec.allowedExitCodes.length === 1 ? `${spec.allowedExitCodes[0]}` : `one of ${spec.allowedExitCodes.join(', ')}`;
  const base = `exited with code ${exitCode} (expected ${allowed})`;
  return { status: 'failed', error: exception ? `${base}: uncaught ${exception}` : base };
}

function overCpu(outcome: ChildOutcome, limitS: number): boolean {
  // Without a report (SIGKILL leaves none) we cannot measure; SIGKILL with a CPU limit set
  // and no stop reason of ours can only come from the kernel's hard limit or someone else.
  return outcome.report === null || outcome.report.cpuTimeMs >= limitS * 1000;
}
