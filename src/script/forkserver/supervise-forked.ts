// The forkserver branch of a supervisor thread (src/script/supervise-script.ts calls it for
// specs with startMethod 'forkserver'). Each supervisor thread keeps one warm fork server
// (this module's host, restarted when it dies); the run speaks the same port protocol as a
// spawned child and its result is classified by the same classifyExit, so both modes read alike.
import type { MessagePort } from 'node:worker_threads';
import { classifyExit, type StopReason } from '../classify-exit.ts';
import { findDescendants, signalSnapshotted, type ProcessInfo } from '../proc-tree.ts';
import type { StopCommand, SupervisorEvent } from '../supervisor-protocol.ts';
import type { ScriptResult, ScriptSpec } from '../types.ts';
import { ForkServerHost } from './fork-server-host.ts';

/** One per supervisor thread; the server dies with the thread (its PR_SET_PDEATHSIG). */
const host = new ForkServerHost();

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
  // Descendants that left the group with setsid escape killpg: snapshot them (while ppid
  // chains are intact) when ergate starts ending the run, as the spawn path does.
  let escaped: ProcessInfo[] = [];
  const sweepEscaped = (pid: number | null) => {
    if (pid === null) return;
    escaped = findDescendants(pid).filter((info) => info.pgid !== pid);
    for (const info of escaped) signalSnapshotted(info, 'SIGTERM');
  };
  let result: ScriptResult;
  try {
    result = await host.run(spec, {
      signal: controller.signal,
      onTerminate: sweepEscaped,
      onStart: (pid) => post({ type: 'started', pid }),
      onOutput: spec.liveOutput ? (stream, chunk) => post({ type: 'output', stream, chunk }) : undefined,
    });
  } finally {
    port.off('message', onCommand);
    for (const info of escaped) signalSnapshotted(info, 'SIGKILL');
  }
  const stopped = stop as StopReason | null;
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
