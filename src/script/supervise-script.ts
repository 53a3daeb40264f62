// Runs inside a supervisor thread: supervises exactly one Python child per task, from the
// pre-flight checks to the reaped exit. Invariant: when superviseScript resolves, the child
// has exited and its group has been signalled; the timeout and stop paths always end with
// SIGKILL to the group and to every descendant snapshotted from /proc.
import fs from 'node:fs';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { classifyExit, type StopReason } from './classify-exit.ts';
import { errorResult, describeScript } from './error-result.ts';
import { finishTermination, terminateTree } from './kill-tree.ts';
import type { ProcessInfo } from './proc-tree.ts';
import { spawnChild, type StartedChild } from './spawn-child.ts';
import { OUTPUT_WINDOW_CHARS, type OutputAck, type StopCommand, type SupervisorEvent } from './supervisor-protocol.ts';
import type { ScriptResult, ScriptSpec } from './types.ts';

/** Why a script or cwd cannot be used, in plain words; null when it can. */
export function checkPaths(spec: ScriptSpec): string | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(spec.script);
  } catch {
    return `script not found: ${spec.script}`;
  }
  if (stat.isDirectory()) return `script is a folder, not a file: ${spec.script}`;
  try {
    fs.accessSync(spec.script, fs.constants.R_OK);
  } catch {
    return `script is not readable: ${spec.script}`;
  }
  try {
    if (!fs.statSync(spec.cwd).isDirectory()) return `working folder is not a folder: ${spec.cwd}`;
  } catch {
    return `working folder not found: ${spec.cwd}`;
  }
  return null;
}

function post(port: MessagePort, event: SupervisorEvent): void {
  port.postMessage(event);
}

/** A stop already queued on the port (e.g. queued then cancelled); acks before it are dropped. */
function pendingStop(port: MessagePort): StopCommand | null {
  let message;
  while ((message = receiveMessageOnPort(port))) {
    const command = message.message as StopCommand;
    if (command.type === 'stop') return command;
  }
  return null;
}

export async function superviseScript(spec: ScriptSpec, port: MessagePort): Promise<ScriptResult> {
  const startedAt = Date.now();
  const early = pendingStop(port);
  if (early) return errorResult(spec.script, early.message, early.status, startedAt);
  const problem = checkPaths(spec);
  if (problem) return errorResult(spec.script, problem, 'error', startedAt);

  let unacked = 0;
  const onOutput = spec.liveOutput
    ? (stream: 'stdout' | 'stderr', chunk: string) => {
      post(port, { type: 'output', stream, chunk });
      unacked += chunk.length;
      return unacked < OUTPUT_WINDOW_CHARS;
    }
    : undefined;
  const started = await spawnChild(spec, onOutput);
  if (!('pid' in started)) return errorResult(spec.script, started.error, 'error', startedAt);
  const child: StartedChild = started;
  post(port, { type: 'started', pid: child.pid });

  let stop: StopReason | null = null;
  let killing: Promise<void> = Promise.resolve();
  let exited = false;
  const stopChild = (reason: StopReason, tree?: ProcessInfo[]) => {
    // The first reason wins; one arriving after the exit is too late to matter.
    if (stop || exited) return;
    stop = reason;
    // With a tree, the main thread has already sent SIGTERM (see SupervisorPool.run).
    killing = tree
      ? finishTermination(child.pid, tree, spec.killGraceMs, child.exited)
      : terminateTree(child.pid, spec.killGraceMs, child.exited);
  };
  const onStop = (command: StopCommand) => stopChild({ status: command.status, message: command.message }, command.tree);
  void child.exited.then(() => {
    // The main thread posts its stop BEFORE it signals the group, so a stop whose SIGTERM
    // ended the child is always queued by now, even if its message event has not run yet.
    // (The child is reaped: no ppid chain leads to its descendants any more, so no walk.)
    const queued = pendingStop(port);
    if (queued) stopChild({ status: queued.status, message: queued.message }, queued.tree ?? []);
    exited = true;
  });
  // setTimeout cannot wait longer than 2^31-1 ms; a longer timeout means "no timer".
  const timer = spec.timeoutMs < 2 ** 31
    ? setTimeout(() => stopChild({ status: 'timeout', message: `timed out after ${spec.timeoutMs} ms` }), spec.timeoutMs)
    : undefined;
  port.on('message', (command: StopCommand | OutputAck) => {
    if (command.type === 'stop') onStop(command);
    else if (command.type === 'ack' && (unacked -= command.chars) < OUTPUT_WINDOW_CHARS) child.resumeOutput();
  });
  // No ack can be queued yet (nothing was posted before this listener), so none is lost here.
  const late = pendingStop(port);
  if (late) onStop(late);

  const outcome = await child.outcome;
  clearTimeout(timer);
  await killing;
  const endedAt = Date.now();
  const { status, error } = classifyExit(spec, outcome, stop);
  return {
    ...describeScript(spec.script),
    status,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    error,
    startTime: new Date(startedAt).toISOString(),
    endTime: new Date(endedAt).toISOString(),
    durationMs: endedAt - startedAt,
    peakRssKb: outcome.report?.peakRssKb ?? null,
    cpuTimeMs: outcome.report?.cpuTimeMs ?? null,
    attempts: 1,
    pid: child.pid,
  };
}
