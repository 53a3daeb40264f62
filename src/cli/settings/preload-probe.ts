// Owns the check before --preload auto's fork servers start: python/_ergate_preload_probe.py
// imports the learned modules in a fresh interpreter of the run's python; a module whose
// import starts a Python thread (or imports one that does) or fails is left out, said once,
// because forking a process with threads can deadlock the child. The verdict is kept in
// .ergate/preload-probe.json and reused while the interpreter, the working folder, PYTHONPATH,
// the module list and every module's file (path, mtime, size: found without importing) are
// unchanged, so a run does not pay for importing the suite's dependencies twice.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pythonFile } from '../../internal/worker-file.ts';

export const PROBE_CACHE_FILE = path.join('.ergate', 'preload-probe.json');

export interface ProbeResult {
  ok: string[];
  /** each module left out with the module whose import started the thread (itself, or one it imports) */
  threaded: Array<[name: string, culprit: string]>;
  broken: Array<[name: string, reason: string]>;
  /** where each module would be found (file, mtime, size) and the interpreter's version */
  fingerprint?: Record<string, unknown>;
}

/** The kept verdict: the result carries the fingerprint it was probed against. */
interface CachedProbe {
  key: string;
  result: ProbeResult & { fingerprint: Record<string, unknown> };
  probedAt: string;
}

/** Runs the probe script with `args`; its last stdout line parsed, or the error's first line. */
function runProbe(python: string, args: string[], cwd: string): Promise<{ answer: unknown } | { reason: string }> {
  return new Promise((resolve) => {
    execFile(
      python,
      [pythonFile('_ergate_preload_probe.py'), ...args],
      { cwd, timeout: 300_000, maxBuffer: 1 << 20 },
      (error, stdout) => {
        try {
          resolve({ answer: JSON.parse(stdout.trim().split('\n').pop() ?? '') as unknown });
        } catch {
          resolve({ reason: error?.message.split('\n')[0] ?? 'no answer' });
        }
      },
    );
  });
}

/** Which of `modules` can be preloaded before forking: imported one by one in `python`, in `cwd`. */
export async function probeModules(python: string, modules: string[], cwd = process.cwd()): Promise<ProbeResult> {
  if (modules.length === 0) return { ok: [], threaded: [], broken: [] };
  const done = await runProbe(python, modules, cwd);
  if ('answer' in done) return done.answer as ProbeResult;
  return { ok: [], threaded: [], broken: modules.map((m) => [m, `the import probe failed: ${done.reason}`]) };
}

/**
 * probeModules, or the verdict kept in `cacheFile` when nothing it depends on changed (one
 * interpreter start that imports nothing checks the modules' files). A cache that cannot be
 * read or written is ignored; a verdict with a module that failed to import is not kept.
 */
export async function probeModulesCached(
  python: string,
  modules: string[],
  cwd: string,
  cacheFile: string,
): Promise<ProbeResult> {
  if (modules.length === 0) return { ok: [], threaded: [], broken: [] };
  const key = JSON.stringify([python, cwd, process.env.PYTHONPATH ?? '', modules]);
  const cached = readCache(cacheFile);
  if (cached?.key === key) {
    const now = await runProbe(python, ['--fingerprint', ...modules], cwd);
    const print = 'answer' in now ? (now.answer as { fingerprint?: unknown }).fingerprint : undefined;
    if (JSON.stringify(print) === JSON.stringify(cached.result.fingerprint)) return cached.result;
  }
  const result = await probeModules(python, modules, cwd);
  // A module that failed to import may be fixed by installing another: probed again next run.
  if (result.fingerprint && result.broken.length === 0) {
    const entry: CachedProbe = {
      key,
      result: { ...result, fingerprint: result.fingerprint },
      probedAt: new Date().toISOString(),
    };
    try {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      const temp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(temp, `${JSON.stringify(entry)}\n`);
      fs.renameSync(temp, cacheFile);
    } catch {
      // a cache that cannot be written only costs the next run a probe
    }
  }
  return result;
}

function readCache(file: string): CachedProbe | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<CachedProbe>;
    const result = parsed.result;
    const valid =
      typeof parsed.key === 'string' &&
      typeof result?.fingerprint === 'object' &&
      result.fingerprint !== null &&
      Array.isArray(result?.ok) &&
      Array.isArray(result?.threaded) &&
      Array.isArray(result?.broken);
    return valid ? (parsed as CachedProbe) : null;
  } catch {
    return null;
  }
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
