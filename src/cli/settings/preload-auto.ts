// Owns --preload auto: what the fork servers import is learned from earlier runs. Each
// forked child lists the installed modules (site-packages, dist-packages) it had loaded when
// it ended (result.imports); the top-level names, less test modules and conftest.py (pytest
// imports those itself, rewriting their asserts), are kept per script in .ergate/imports.json.
// An installed package is learned even when it is the one under test (a suite inside it, or a
// virtualenv inside the project). The next run preloads the union for its scripts (plus
// pytest in pytest mode), after a probe leaves out any module that starts a thread when
// imported (a fork of a threaded process is unsafe) or fails to import (preload-probe.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { ScriptResult } from '../../script/types.ts';

export const IMPORTS_FILE = path.join('.ergate', 'imports.json');
/** Test modules and conftest.py: pytest imports them itself (a preloaded one keeps plain asserts). */
const PYTEST_IMPORTS_ITSELF = /^(test_.*|.*_test|conftest)\.py$/;

export class PreloadAuto {
  readonly #file: string;
  readonly #learned: Record<string, string[]>;
  #changed = false;

  constructor(file: string) {
    this.#file = path.resolve(file);
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
      .filter(([name, file]) => !name.startsWith('_ergate') && importableAsTopLevel(file))
      .filter(([, file]) => !PYTEST_IMPORTS_ITSELF.test(path.basename(file)))
      .map(([name]) => name)
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

/**
 * Whether a top-level module's file sits at the top of its installed folder (NAME.py, NAME.so
 * or NAME/__init__.py in site-packages): an extension module that registers itself under a
 * bare name from deeper down (scipy's _csparsetools) cannot be imported by that name.
 */
function importableAsTopLevel(file: string): boolean {
  const entry = /^__init__\./.test(path.basename(file)) ? path.dirname(file) : file;
  return /^(site|dist)-packages$/.test(path.basename(path.dirname(entry)));
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
