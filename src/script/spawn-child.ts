// The 'spawn' start method: one fresh interpreter per script running python/preamble.py,
// which sets limits and watchdogs and then runs the script. Owns the child's pipes: stdout
// and stderr into bounded buffers (and live chunks when asked), fd 3 as the parent-death
// pipe that also carries the preamble's exit report. Another start method (forkserver) plugs
// in beside this one by returning the same StartedChild.
import { spawn } from 'node:child_process';
import { pythonFile } from '../internal/worker-file.ts';
import { OutputBuffer } from './output-buffer.ts';
import { signalGroup } from './proc-tree.ts';
import type { ScriptSpec } from './types.ts';

/** What the preamble writes to fd 3 at exit (absent when the child was killed). */
export interface ExitReport {
  peakRssKb: number;
  cpuTimeMs: number;
  /** name of the uncaught exception class, '' if none */
  exception: string;
}

export interface ChildOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  report: ExitReport | null;
}

export interface StartedChild {
  pid: number;
  /** resolves when the child has exited (before its output is fully drained) */
  exited: Promise<void>;
  /** resolves once the child exited and its pipes are drained; never rejects */
  outcome: Promise<ChildOutcome>;
  /** resumes pipes paused because the output listener returned false */
  resumeOutput(): void;
}

/** Returning false pauses the child's pipes until resumeOutput() (backpressure). */
export type OutputListener = (stream: 'stdout' | 'stderr', chunk: string) => boolean | void;

/** After the child exits, how long a leftover holder of its pipes may keep them open. */
const DRAIN_AFTER_EXIT_MS = 2_000;
const PREAMBLE = pythonFile('preamble.py');

function parseReport(text: string): ExitReport | null {
  const line = text.trim().split('\n').pop();
  if (!line) return null;
  try {
    return JSON.parse(line) as ExitReport;
  } catch {
    return null;
  }
}

/** @returns the running child, or a plain-language reason why it could not be started */
export function spawnChild(spec: ScriptSpec, onOutput?: OutputListener): Promise<StartedChild | { error: string }> {
  const config = `v1:${spec.memoryLimitMb ?? '-'}:${spec.cpuTimeLimitS ?? '-'}:${process.pid}`;
  const child = spawn(spec.python, [PREAMBLE, spec.script, ...spec.args], {
    cwd: spec.cwd,
    env: { ...spec.env, ERGATE_CHILD: config },
    // stdin is /dev/null; fd 3 is the watchdog socket (the preamble reads EOF when we die).
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    detached: true, // setsid: the child leads its own process group
  });
  if (child.pid === undefined) {
    return new Promise((resolve) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        resolve({ error: `could not start python interpreter '${spec.python}': ${err.code ?? err.message}` });
      });
    });
  }
  const pid = child.pid;
  const buffers = { stdout: new OutputBuffer(spec.maxOutputBytes), stderr: new OutputBuffer(spec.maxOutputBytes) };
  let reportText = '';
  for (const stream of ['stdout', 'stderr'] as const) {
    const pipe = child[stream]!;
    const decoder = onOutput ? new TextDecoder('utf-8', { fatal: false }) : null;
    pipe.on('data', (chunk: Buffer) => {
      buffers[stream].push(chunk);
      if (decoder) {
        const text = decoder.decode(chunk, { stream: true });
        if (text && onOutput!(stream, text) === false) pipe.pause();
      }
    });
    pipe.on('error', () => {}); // EPIPE/ECONNRESET after a kill: the outcome still resolves
  }
  const fd3 = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  fd3.on('data', (chunk: Buffer) => { reportText += chunk.toString('utf8'); });
  fd3.on('error', () => {});

  let onExit!: (exit: { code: number | null; signal: NodeJS.Signals | null }) => void;
  const exitSeen = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => { onExit = r; });
  const resumeOutput = (): void => {
    child.stdout!.resume();
    child.stderr!.resume();
  };
  child.once('exit', (code, signal) => {
    // The leader is gone: whatever it left in its group would be a stray process.
    signalGroup(pid, 'SIGKILL');
    // Drain what is left (at most a pipe's worth) even if the listener is behind.
    resumeOutput();
    onExit({ code, signal });
  });
  const closed = new Promise<void>((r) => child.once('close', () => r()));

  const outcome = exitSeen.then(async ({ code, signal }) => {
    // A descendant that escaped the group may still hold the pipes: drain briefly, then cut.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((r) => { timer = setTimeout(r, DRAIN_AFTER_EXIT_MS); })]);
    clearTimeout(timer);
    child.stdout!.destroy();
    child.stderr!.destroy();
    fd3.destroy();
    return {
      exitCode: code,
      signal,
      stdout: buffers.stdout.toString(),
      stderr: buffers.stderr.toString(),
      report: parseReport(reportText),
    };
  });
  return Promise.resolve({ pid, exited: exitSeen.then(() => undefined), outcome, resumeOutput });
}
