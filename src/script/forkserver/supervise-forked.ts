// The forkserver branch of a supervisor thread (src/script/supervise-script.ts calls it for
// specs with startMethod 'forkserver'). Each supervisor thread keeps one warm fork server
// (thread-host.ts: restarted when it dies, reaped before the thread ends); the run speaks the
// same port protocol as a spawned child and is classified by the same classifyExit.
import type { MessagePort } from 'node:worker_threads';
import { classifyExit, type StopReason } from '../classify-exit.ts';
import { findDescendants, signalSnapshotted, type ProcessInfo } from '../proc-tree.ts';
import type { StopCommand, SupervisorEvent } from '../supervisor-protocol.ts';
import type { ScriptResult, ScriptSpec } from '../types.ts';
import type { RunForkedOptions } from './run-forked.ts';
import { runOnThreadHost } from './thread-host.ts';

/** Class name of the uncaught exception python printed last, '' if none (MemoryError...). */
export function findUncaughtException(stderr: string, exitCode: number | null): string {
  if (exitCode !== 1) return '';
  const lines = stderr.trimEnd().split('\n');
  const match = /^([A-Za-z_][\w.]*)(?::|$)/.exec(lines[lines.length - 1] ?? '');
  return match ? match[1]!.split('.').pop()! : '';
}

export async function superviseForked(spec: ScriptSpec, port: MessagePort): Promise<ScriptResult> {
  const controller = new AbortController();
  let stop: StopReason | null = null;
  const onCommand = (command: StopCommand) => {
    if (command.type !== 'stop' || stop) return;
    stop = { status: command.status, message: command.message };
    controller.abort();
  };
  port.on('message', onCommand);
  const post = (event: SupervisorEvent) => port.postMessage(event);
  try {
    return await superviseForkedRun(spec, (options) => runOnThreadHost(spec, options), {
      signal: controller.signal,
      stopReason: () => stop,
      onStart: (pid) => post({ type: 'started', pid }),
      onOutput: spec.liveOutput ? (stream, chunk) => post({ type: 'output', stream, chunk }) : undefined,
      sweep: findDescendants,
    });
  } finally {
    port.off('message', onCommand);
  }
}

/** How a forked run is driven: by a supervisor thread's port, or by the main thread directly. */
export interface ForkedRunHooks {
  /** aborted when ergate stops the run; stopReason() then says why */
  signal: AbortSignal;
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
