// Supervision of one forked run, driven from the main thread by ForkServerPool: snapshots and
// kills setsid escapees when ergate ends the run, and classifies the exit with the same
// classifyExit as a spawned child, so both start methods report alike.
import { classifyExit, type StopReason } from '../classify-exit.ts';
import { signalSnapshotted, type ProcessInfo } from '../proc-tree.ts';
import type { StopSignal } from '../stop-signal.ts';
import type { ScriptResult, ScriptSpec } from '../types.ts';
import type { RunForkedOptions } from './run-forked.ts';

/** Class name of the uncaught exception python printed last, '' if none (MemoryError...). */
export function findUncaughtException(stderr: string, exitCode: number | null): string {
  if (exitCode !== 1) return '';
  const lines = stderr.trimEnd().split('\n');
  const match = /^([A-Za-z_][\w.]*)(?::|$)/.exec(lines[lines.length - 1] ?? '');
  return match ? match[1]!.split('.').pop()! : '';
}

/** What the driver of a forked run provides. */
export interface ForkedRunHooks {
  /** aborted when ergate stops the run; stopReason() then says why */
  signal: StopSignal;
  stopReason: () => StopReason | null;
  onStart?: (pid: number) => void;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /** the child's descendants, read from /proc (setsid escapees are taken from it) */
  sweep: (pid: number) => ProcessInfo[];
}

/** Runs one forked script and classifies it exactly like a spawned one (classify-exit.ts). */
export async function superviseForkedRun(
  spec: ScriptSpec,
  run: (options: RunForkedOptions) => Promise<ScriptResult>,
  hooks: ForkedRunHooks,
): Promise<ScriptResult> {
  // Descendants that left the group with setsid escape killpg: snapshot them (while ppid
  // chains are intact) when ergate starts ending the run, as the spawn path does.
  let escaped: ProcessInfo[] = [];
  const sweepEscaped = (pid: number | null) => {
    if (pid === null) return;
    escaped = hooks.sweep(pid).filter((info) => info.pgid !== pid);
    for (const info of escaped) signalSnapshotted(info, 'SIGTERM');
  };
  let result: ScriptResult;
  try {
    result = await run({ signal: hooks.signal, onTerminate: sweepEscaped, onStart: hooks.onStart, onOutput: hooks.onOutput });
  } finally {
    for (const info of escaped) signalSnapshotted(info, 'SIGKILL');
  }
  const stopped = hooks.stopReason();
  // Never forked (no server, bad path, aborted first): keep the reason, with the stop's words.
  if (result.pid === null) return stopped && result.status === 'cancelled' ? { ...result, error: stopped.message } : result;
  if (result.status === 'error') return result; // the server died under the script
  const timedOut: StopReason | null = result.status === 'timeout' ? { status: 'timeout', message: result.error ?? '' } : null;
  const outcome = {
    exitCode: result.exitCode,
    signal: result.signal as NodeJS.Signals | null,
    stdout: result.stdout,
    stderr: result.stderr,
    report: {
      peakRssKb: result.peakRssKb ?? 0,
      cpuTimeMs: result.cpuTimeMs ?? 0,
      exception: findUncaughtException(result.stderr, result.exitCode),
    },
  };
  return { ...result, ...classifyExit(spec, outcome, stopped ?? timedOut) };
}
