// Runs one ScriptSpec through a ForkServer and builds its ScriptResult: the timeout and the
// caller's AbortSignal kill the child's process group (SIGTERM, then SIGKILL after
// killGraceMs), output is bounded per stream and optionally streamed live. Never rejects:
// a script that cannot be forked, or a server that dies under it, is status 'error'.
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ScriptResult, ScriptSpec } from '../types.ts';
import { whenStopped, type StopSignal } from '../stop-signal.ts';
import { BoundedOutput } from './bounded-output.ts';
import { describeExit, type ExitOutcome, type StopReason } from './describe-exit.ts';
import type { ForkServer } from './fork-server.ts';
import type { ForkExit } from './protocol.ts';

export interface RunForkedOptions {
  /** Abort kills the script's process group; status 'cancelled'. */
  signal?: AbortSignal | StopSignal;
  /** Live output, decoded as UTF-8. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /** Called with the child's pid (also its process group id) once it is forked. */
  onStart?: (pid: number) => void;
  /** Called once when ergate starts ending the run (timeout or abort), before any signal. */
  onTerminate?: (pid: number | null) => void;
}

type Ending = { kind: 'exit'; exit: ForkExit } | { kind: 'error'; error: string };

/** The result of a script that never ran (no server, aborted before the fork). */
export function notRunResult(spec: ScriptSpec, status: 'error' | 'cancelled', error: string): ScriptResult {
  const now = new Date().toISOString();
  return {
    script: spec.script,
    name: path.basename(spec.script),
    subdirectory: path.basename(path.dirname(spec.script)),
    status,
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    error,
    startTime: now,
    endTime: now,
    durationMs: 0,
    peakRssKb: null,
    cpuTimeMs: null,
    attempts: 1,
    pid: null,
  };
}

export async function runForked(server: ForkServer, spec: ScriptSpec, options: RunForkedOptions = {}): Promise<ScriptResult> {
  if (options.signal?.aborted) return notRunResult(spec, 'cancelled', 'cancelled');
  const startTime = new Date();
  const output = { stdout: new BoundedOutput(spec.maxOutputBytes), stderr: new BoundedOutput(spec.maxOutputBytes) };
  const live = options.onOutput;
  const decoders = live ? { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') } : null;
  let pid: number | null = null;
  let stop: StopReason = null;
  // Timers and listeners to drop once the run has ended (plain closures: see stop-signal.ts).
  const cleanup: Array<() => void> = [];

  const ending = await new Promise<Ending>((resolve) => {
    const id = server.fork(
      {
        script: spec.script,
        args: spec.args,
        cwd: spec.cwd,
        env: spec.env,
        memoryLimitMb: spec.memoryLimitMb,
        cpuTimeLimitS: spec.cpuTimeLimitS,
      },
      {
        onStart: (childPid) => {
          pid = childPid;
          options.onStart?.(childPid);
        },
        onOutput: (stream, data) => {
          output[stream].push(data);
          if (live && decoders) {
            const text = decoders[stream].write(data);
            if (text) live(stream, text);
          }
        },
        onExit: (exit) => resolve({ kind: 'exit', exit }),
        onFail: (error) => resolve({ kind: 'error', error }),
        onServerLost: (reason) => resolve({ kind: 'error', error: reason }),
      },
    );
    const terminate = (reason: Exclude<StopReason, null>) => {
      if (stop !== null) return;
      stop = reason;
      options.onTerminate?.(pid);
      server.kill(id, 'SIGTERM');
      const escalate = setTimeout(() => server.kill(id, 'SIGKILL'), spec.killGraceMs);
      cleanup.push(() => clearTimeout(escalate));
    };
    // setTimeout cannot wait longer than 2^31-1 ms (it would fire at once): no timer then.
    if (spec.timeoutMs < 2 ** 31) {
      const timer = setTimeout(() => terminate('timeout'), spec.timeoutMs);
      cleanup.push(() => clearTimeout(timer));
    }
    cleanup.push(whenStopped(options.signal, () => terminate('cancelled')));
  });
  for (const drop of cleanup) drop();

  if (live && decoders) {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = decoders[stream].end();
      if (rest) live(stream, rest);
    }
  }
  const stdout = output.stdout.toString();
  const stderr = output.stderr.toString();
  const endTime = new Date();
  let outcome: ExitOutcome;
  if (ending.kind === 'exit') outcome = describeExit(spec, ending.exit, stop, stderr);
  else if (stop === 'cancelled') outcome = { status: 'cancelled', exitCode: null, signal: null, error: 'cancelled' };
  else outcome = { status: 'error', exitCode: null, signal: null, error: ending.error };
  return {
    script: spec.script,
    name: path.basename(spec.script),
    subdirectory: path.basename(path.dirname(spec.script)),
    ...outcome,
    stdout,
    stderr,
    startTime: startTime.toISOString(),
    endTime: endTime.toISOString(),
    durationMs: endTime.getTime() - startTime.getTime(),
    peakRssKb: ending.kind === 'exit' ? ending.exit.maxrssKb : null,
    cpuTimeMs: ending.kind === 'exit' ? ending.exit.cpuMs : null,
    attempts: 1,
    pid,
  };
}
