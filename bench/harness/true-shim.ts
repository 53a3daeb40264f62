// Builds bench/peers/true_shim.c: an executable named as ergate's `python` that runs the
// bench's trivial scripts as /bin/true would (exit 0 at once) and execs the real interpreter
// for everything else (issue 28 measures spawn's own CPU with /bin/true as the script).
// Needs a C compiler (cc); without one the variants using it are reported as not available.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotAvailableError } from './types.ts';

const SOURCE = fileURLToPath(new URL('../peers/true_shim.c', import.meta.url));

/** Compiles the shim into dir for `python`; returns its path. */
export function buildTrueShim(dir: string, python: string): string {
  const shim = path.join(dir, 'python-true-shim');
  // execv does not search PATH: the shim needs the interpreter's own path.
  const real = path.isAbsolute(python)
    ? python
    : execFileSync(python, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  const define = `-DPYTHON=${JSON.stringify(real)}`;
  try {
    // static where the C library allows it (no dynamic loader: closest to /bin/true), else dynamic
    try {
      execFileSync('cc', ['-O2', '-static', define, '-o', shim, SOURCE], { stdio: 'ignore' });
    } catch {
      execFileSync('cc', ['-O2', define, '-o', shim, SOURCE], { stdio: 'ignore' });
    }
  } catch {
    throw new NotAvailableError('no C compiler (cc) to build the /bin/true shim (bench/peers/true_shim.c)');
  }
  return shim;
}
