// Owns the check before --preload auto's fork servers start: python/_ergate_preload_probe.py
// imports the learned modules in a fresh interpreter of the run's python; a module whose
// import starts a Python thread (or imports one that does) or fails is left out, said once,
// because forking a process with threads can deadlock the child.
import { execFile } from 'node:child_process';
import { pythonFile } from '../../internal/worker-file.ts';

export interface ProbeResult {
  ok: string[];
  /** each module left out with the module whose import started the thread (itself, or one it imports) */
  threaded: Array<[name: string, culprit: string]>;
  broken: Array<[name: string, reason: string]>;
}

/** Which of `modules` can be preloaded before forking: imported one by one in `python`, in `cwd`. */
export function probeModules(python: string, modules: string[], cwd = process.cwd()): Promise<ProbeResult> {
  if (modules.length === 0) return Promise.resolve({ ok: [], threaded: [], broken: [] });
  const probe = pythonFile('_ergate_preload_probe.py');
  return new Promise((resolve) => {
    execFile(python, [probe, ...modules], { cwd, timeout: 300_000, maxBuffer: 1 << 20 }, (error, stdout) => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as ProbeResult);
      } catch {
        const reason = error?.message.split('\n')[0] ?? 'no answer';
        resolve({ ok: [], threaded: [], broken: modules.map((m) => [m, `the import probe failed: ${reason}`]) });
      }
    });
  });
}

/** The probe's refusals, one line each, for the run's start. */
export function describeRefusals(probe: ProbeResult): string[] {
  return [
    ...probe.threaded.map(([m, culprit]) =>
      culprit === m
        ? `--preload auto: left out ${m}: it starts a thread when imported, which makes fork unsafe`
        : `--preload auto: left out ${m}: it imports ${culprit}, which starts a thread when imported (fork unsafe)`,
    ),
    ...probe.broken.map(([m, why]) => `--preload auto: left out ${m}: ${why}`),
  ];
}
