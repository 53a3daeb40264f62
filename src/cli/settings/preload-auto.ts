// Owns --preload auto: what the fork servers import is learned from earlier runs. Each
// forked child lists the third-party modules it had loaded when it ended (result.imports);
// the top-level names, less the project's own (files under the working folder or pytest's
// rootdir), are kept per script in .ergate/imports.json. The next run preloads the union for
// its scripts (plus pytest in pytest mode), after a probe leaves out any module that starts a
// thread when imported (a fork of a threaded process is unsafe) or fails to import: said once.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ScriptResult } from '../../script/types.ts';

export const IMPORTS_FILE = path.join('.ergate', 'imports.json');

/** Imports each module in turn in a fresh interpreter and counts its threads after each. */
const PROBE = `
import json, os, sys
ok, threaded, broken = [], [], []
for name in sys.argv[1:]:
    before = len(os.listdir('/proc/self/task'))
    try:
        __import__(name)
    except BaseException as exc:
        broken.append([name, '%s: %s' % (type(exc).__name__, exc)])
        continue
    (threaded if len(os.listdir('/proc/self/task')) > before else ok).append(name)
print(json.dumps({'ok': ok, 'threaded': threaded, 'broken': broken}))
`;

export interface ProbeResult {
  ok: string[];
  threaded: string[];
  broken: Array<[name: string, reason: string]>;
}

export class PreloadAuto {
  readonly #file: string;
  readonly #ownRoots: string[];
  readonly #learned: Record<string, string[]>;
  #changed = false;

  /** @param ownRoots folders whose modules are the project's own, never preloaded */
  constructor(file: string, ownRoots: string[]) {
    this.#file = path.resolve(file);
    this.#ownRoots = ownRoots.map((root) => path.resolve(root) + path.sep);
    this.#learned = readLearned(this.#file);
  }

  /** The modules to preload for `scripts`, sorted; pytest first in pytest mode. */
  modulesFor(scripts: readonly string[], pytest: boolean): string[] {
    const union = new Set<string>();
    for (const script of scripts) for (const name of this.#learned[path.resolve(script)] ?? []) union.add(name);
    union.delete('pytest');
    return [...(pytest ? ['pytest'] : []), ...[...union].sort()];
  }

  /** Learns what a finished script's child had imported (forkserver results only carry it). */
  add(result: ScriptResult): void {
    if (!result.imports) return;
    const names = Object.entries(result.imports)
      .filter(([, file]) => !this.#ownRoots.some((root) => file.startsWith(root)))
      .map(([name]) => name)
      .filter((name) => !name.startsWith('_ergate'))
      .sort();
    this.#learned[result.script] = names;
    this.#changed = true;
  }

  /** Writes what was learned (whole file, renamed into place); a failure is a warning. */
  save(warn: (message: string) => void): void {
    if (!this.#changed) return;
    try {
      fs.mkdirSync(path.dirname(this.#file), { recursive: true });
      const temp = `${this.#file}.${process.pid}.tmp`;
      fs.writeFileSync(temp, `${JSON.stringify({ scripts: this.#learned })}\n`);
      fs.renameSync(temp, this.#file);
    } catch (error) {
      warn(`--preload auto: could not save ${this.#file}: ${(error as Error).message}`);
    }
  }
}

function readLearned(file: string): Record<string, string[]> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { scripts?: unknown };
    const scripts = parsed.scripts;
    if (typeof scripts !== 'object' || scripts === null) return {};
    const learned: Record<string, string[]> = {};
    for (const [script, names] of Object.entries(scripts)) {
      if (Array.isArray(names))
        learned[script] = names.filter((n): n is string => typeof n === 'string' && /^[A-Za-z_]\w*$/.test(n));
    }
    return learned;
  } catch {
    return {};
  }
}

/** Which of `modules` can be preloaded before forking: imported one by one in `python`, in `cwd`. */
export function probeModules(python: string, modules: string[], cwd = process.cwd()): Promise<ProbeResult> {
  if (modules.length === 0) return Promise.resolve({ ok: [], threaded: [], broken: [] });
  return new Promise((resolve) => {
    execFile(python, ['-c', PROBE, ...modules], { cwd, timeout: 300_000, maxBuffer: 1 << 20 }, (error, stdout) => {
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
    ...probe.threaded.map(
      (m) => `--preload auto: left out ${m}: it starts a thread when imported, which makes fork unsafe`,
    ),
    ...probe.broken.map(([m, why]) => `--preload auto: left out ${m}: ${why}`),
  ];
}
