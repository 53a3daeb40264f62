// Supervises one script on a Launcher, from the run request to its ScriptResult: live output
// decoded as UTF-8, stop requests with their reason, and the first-reason-wins rule (the
// launcher orders its own deadline against the requests it received). The timeout itself is
// enforced by the launcher, so a busy event loop here never delays it.
import fs from 'node:fs';
import { errorResult, exitResult, type ResultAdds } from './script-result.ts';
import { nextJunitPath, pytestJunitArgs } from './junit-capture.ts';
import type { Launcher } from './launcher/launcher.ts';
import { describeStop, type StopReason } from './stop-reason.ts';
import { takeImports, takeTestResults } from './test-results.ts';
import type { ScriptResult, ScriptSpec } from './types.ts';

/** A script that is running: the seam for whoever decides to end it (a sampler, a cancel). */
export interface RunningScript {
  /** the Python child's pid, also its process group id */
  readonly pid: number;
  /** Ends the run (SIGTERM, killGraceMs, SIGKILL of its tree) for `reason`, unless a reason came first. */
  stop(reason: StopReason): void;
  /** stop({ kind: 'memory', limitMb, peakMb }): the tree passed the caller's memory cap */
  stopForMemory(limitMb: number, peakMb: number): void;
}

export interface SuperviseRunOptions {
  /** live output, decoded as UTF-8 (a listener that throws is the caller's to guard) */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /** called once the child runs */
  onStart?: (running: RunningScript) => void;
  /** what the caller adds to the result (its slot, attempts, samples), asked for when it is built */
  adds?: () => ResultAdds;
}

export interface SupervisedRun {
  /** never rejects */
  result: Promise<ScriptResult>;
  stop(reason: StopReason): void;
}

export function superviseRun(
  launcher: Launcher,
  spec: ScriptSpec,
  options: SuperviseRunOptions,
  startedAt: number,
): SupervisedRun {
  let requested: StopReason | null = null;
  let ended = false;
  let id = 0;
  const stop = (reason: StopReason) => {
    if (requested || ended) return;
    requested = reason;
    launcher.stop(id);
  };
  const live = options.onOutput;
  const decoders = live ? { stdout: new TextDecoder(), stderr: new TextDecoder() } : null;
  const junitXml = nextJunitPath();
  const importsFile = spec.recordImports && spec.startMethod === 'forkserver' ? `${junitXml}.imports` : undefined;
  const result = new Promise<ScriptResult>((resolve) => {
    let pid = 0;
    id = launcher.run(
      {
        python: spec.python,
        script: spec.script,
        module: spec.module,
        args: spec.module === 'pytest' ? [...pytestJunitArgs(junitXml, spec.script), ...spec.args] : spec.args,
        cwd: spec.cwd,
        env: spec.env,
        memoryLimitMb: spec.memoryLimitMb,
        cpuTimeLimitS: spec.cpuTimeLimitS,
        timeoutMs: Number.isFinite(spec.timeoutMs) ? spec.timeoutMs : -1,
        killGraceMs: spec.killGraceMs,
        maxOutputBytes: spec.maxOutputBytes,
        live: live !== undefined,
        junitXml,
        importsFile,
      },
      {
        onStart: (childPid) => {
          pid = childPid;
          options.onStart?.({
            pid,
            stop,
            stopForMemory: (limitMb, peakMb) => stop({ kind: 'memory', limitMb, peakMb }),
          });
        },
        onOutput: (stream, data) => {
          const text = decoders![stream].decode(data, { stream: true });
          if (text) live!(stream, text);
        },
        onExit: (exit) => {
          ended = true;
          flushDecoders();
          const first =
            exit.stop === 'timeout'
              ? { kind: 'timeout' as const, timeoutMs: spec.timeoutMs }
              : exit.stop === 'request'
                ? requested
                : null;
          const ran = exitResult(spec, exit, first, pid, startedAt, (stdout) => {
            const found = takeTestResults(junitXml, stdout);
            return {
              ...(found && { tests: found.tests, testCases: found.testCases }),
              ...(importsFile !== undefined && { imports: takeImports(importsFile) }),
              ...options.adds?.(),
            };
          });
          resolve(ran);
        },
        onFail: (error) => {
          ended = true;
          flushDecoders();
          const adds = { pid: pid || null, ...options.adds?.() };
          const result = requested
            ? errorResult(spec.script, describeStop(requested).error, describeStop(requested).status, startedAt, adds)
            : errorResult(spec.script, error, 'error', startedAt, adds);
          fs.rmSync(junitXml, { force: true });
          if (importsFile !== undefined) fs.rmSync(importsFile, { force: true });
          resolve(result);
        },
      },
    );
  });
  function flushDecoders(): void {
    if (!decoders) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = decoders[stream].decode();
      if (rest) live!(stream, rest);
    }
  }
  return { result, stop };
}
