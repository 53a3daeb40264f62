// Resolves the Python interpreter once per distinct request: options.python, else
// $ERGATE_PYTHON, else `python3` from PATH. The interpreter itself reports sys.executable and
// its version, so a pyenv shim (~150 ms per start) is paid once and every launcher starts the
// real binary; a virtualenv's python keeps its own path (never realpath'd past pyvenv.cfg).
// checkStartMethod refuses, once and up front, an interpreter a start method cannot serve;
// prepare-script.ts takes both steps for every entry point.
import { execFile } from 'node:child_process';
import { hasEscapedBytes, readableBytes } from '../internal/byte-names.ts';
import type { StartMethod } from './types.ts';

interface Interpreter {
  executable: string;
  version: [number, number];
}

const cache = new Map<string, Promise<Interpreter>>();
const versions = new Map<string, [number, number]>();

/** Oldest Python each start method serves (python/launcher.py; tested against 3.6-3.13). */
export const MIN_PYTHON: Record<StartMethod, [number, number]> = { spawn: [3, 6], forkserver: [3, 6] };

function ask(python: string): Promise<Interpreter> {
  // Node starts a program only by a UTF-8 path: such bytes would be run as U+FFFD, a file that is not there.
  if (hasEscapedBytes(python))
    return Promise.reject(
      new Error(
        `python interpreter '${readableBytes(python)}' has a path that is not UTF-8, which Node cannot start: ` +
          'name it by a path that is UTF-8',
      ),
    );
  // `%` formatting and sys.stdout.write: this line must run on any Python, 2.7 included.
  const probe = 'import sys; sys.stdout.write(sys.executable + "\\n%d.%d" % sys.version_info[:2])';
  return new Promise((resolve, reject) => {
    execFile(python, ['-c', probe], { timeout: 30_000 }, (error, stdout) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const reason =
          code === 'ENOENT'
            ? 'not found'
            : code === 'EACCES'
              ? 'not executable'
              : `does not run (${error.message.split('\n')[0]})`;
        reject(new Error(`python interpreter '${python}' ${reason}`));
        return;
      }
      const [executable, version] = stdout.split('\n');
      const [major, minor] = (version ?? '').split('.').map(Number);
      if (!executable || major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) {
        reject(new Error(`python interpreter '${python}' did not report sys.executable and its version`));
      } else {
        versions.set(executable, [major, minor]);
        resolve({ executable, version: [major, minor] });
      }
    });
  });
}

/** @returns the real executable; rejects with a plain-language Error when it cannot run. */
export async function resolvePython(python?: string): Promise<string> {
  const wanted = python ?? process.env.ERGATE_PYTHON ?? 'python3';
  let found = cache.get(wanted);
  if (!found) {
    found = ask(wanted);
    // A failure is not cached: the interpreter may be installed later.
    found.catch(() => cache.delete(wanted));
    cache.set(wanted, found);
  }
  return (await found).executable;
}

/**
 * Throws a one-line TypeError when `executable` (from resolvePython) is a Python this start
 * method cannot serve, naming its version and the alternative.
 */
export function checkStartMethod(executable: string, startMethod: StartMethod): void {
  const version = versions.get(executable);
  if (!version) return; // not resolved through resolvePython: the launcher will say what fails
  const [minMajor, minMinor] = MIN_PYTHON[startMethod];
  if (version[0] > minMajor || (version[0] === minMajor && version[1] >= minMinor)) return;
  throw new TypeError(
    `startMethod '${startMethod}' needs Python ${minMajor}.${minMinor} or newer, but ${executable} is Python ${version.join('.')}: ` +
      `give options.python (or $ERGATE_PYTHON, or --python) a Python ${minMajor}.${minMinor}+ interpreter`,
  );
}
