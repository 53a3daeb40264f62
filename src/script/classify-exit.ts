// Decides a finished run's status and its plain-language error from how the child ended,
// for both start methods alike. A stop reason (timeout, cancel, memory cap) wins over the
// exit itself; otherwise the exit code against allowedExitCodes, the signal, the CPU limit,
// the uncaught exception python printed last and (with failOnLeftovers) what the script left
// running tell the story.
import { describeStop, type StopReason } from './stop-reason.ts';
import type { ScriptSpec, ScriptStatus } from './types.ts';

/** How the child ended, as the launcher's wait4, the captured stderr and its sweep tell it. */
export interface ChildOutcome {
  exitCode: number | null;
  signal: string | null;
  stderr: string;
  cpuTimeMs: number;
  /** what the launcher's sweep killed after the script ended */
  leftovers: readonly { command: string }[];
}

/** "left `sleep 30` behind (killed)" ("and 2 more" beyond one): failOnLeftovers' reason, the console's words. */
export function describeLeftovers(leftovers: readonly { command: string }[]): string {
  const more = leftovers.length > 1 ? ` and ${leftovers.length - 1} more` : '';
  return `left \`${leftovers[0].command}\`${more} behind (killed)`;
}

/** Class name of the uncaught exception python printed last, '' if none (MemoryError...). */
export function findUncaughtException(stderr: string, exitCode: number | null): string {
  if (exitCode !== 1) return '';
  const lines = stderr.trimEnd().split('\n');
  const match = /^([A-Za-z_][\w.]*)(?::|$)/.exec(lines[lines.length - 1] ?? '');
  return match ? match[1].split('.').pop()! : '';
}

/** What pytest's own exit codes mean (pytest.ExitCode). */
const PYTEST_EXITS: Record<number, string> = {
  1: 'tests failed',
  2: 'pytest stopped early: a collection error or an interrupt',
  3: 'pytest hit an internal error',
  4: 'pytest was given bad arguments',
  5: 'no tests collected',
};

export function classifyExit(
  spec: ScriptSpec,
  outcome: ChildOutcome,
  stop: StopReason | null,
): { status: ScriptStatus; error: string | null } {
  if (stop) return describeStop(stop);
  const { exitCode, signal } = outcome;
  if (signal) {
    const cpuLimit = spec.cpuTimeLimitS;
    // RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one (soft + 1 s).
    if (cpuLimit !== null && (signal === 'SIGXCPU' || (signal === 'SIGKILL' && outcome.cpuTimeMs >= cpuLimit * 1000))) {
      return { status: 'failed', error: `CPU time limit of ${cpuLimit} s exceeded` };
    }
    return { status: 'failed', error: `killed by signal ${signal}` };
  }
  if (exitCode !== null && spec.allowedExitCodes.includes(exitCode)) {
    if (spec.failOnLeftovers && outcome.leftovers.length > 0)
      return { status: 'failed', error: describeLeftovers(outcome.leftovers) };
    return { status: 'passed', error: null };
  }
  const exception = findUncaughtException(outcome.stderr, exitCode);
  if (exception === 'MemoryError' && spec.memoryLimitMb !== null) {
    return { status: 'failed', error: `memory limit of ${spec.memoryLimitMb} MiB exceeded (MemoryError)` };
  }
  const pytestWords = spec.module === 'pytest' && exitCode !== null ? PYTEST_EXITS[exitCode] : undefined;
  if (pytestWords) return { status: 'failed', error: `${pytestWords} (pytest exit code ${exitCode})` };
  const allowed =
    spec.allowedExitCodes.length === 1 ? `${spec.allowedExitCodes[0]}` : `one of ${spec.allowedExitCodes.join(', ')}`;
  const base = `exited with code ${exitCode} (expected ${allowed})`;
  return { status: 'failed', error: exception ? `${base}: uncaught ${exception}` : base };
}
