// Resolves the Python interpreter once per distinct request: options.python, else
// $ERGATE_PYTHON, else `python3` from PATH. The interpreter itself reports sys.executable,
// so a pyenv shim (~150 ms per start) is paid once and every child starts the real binary;
// a virtualenv's python keeps its own path (it must not be realpath'd past its pyvenv.cfg).
import { execFile } from 'node:child_process';

const cache = new Map<string, Promise<string>>();

function askExecutable(python: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(python, ['-c', 'import sys; sys.stdout.write(sys.executable)'], { timeout: 30_000 }, (error, stdout) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const reason = code === 'ENOENT' ? 'not found'
          : code === 'EACCES' ? 'not executable'
          : `does not run (${error.message.split('\n')[0]})`;
        reject(new Error(`python interpreter '${python}' ${reason}`));
      } else if (!stdout) {
        reject(new Error(`python interpreter '${python}' did not report sys.executable`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** @returns the real executable; rejects with a plain-language Error when it cannot run. */
export function resolvePython(python?: string): Promise<string> {
  const wanted = python ?? process.env.ERGATE_PYTHON ?? 'python3';
  let found = cache.get(wanted);
  if (!found) {
    found = askExecutable(wanted);
    // A failure is not cached: the interpreter may be installed later.
    found.catch(() => cache.delete(wanted));
    cache.set(wanted, found);
  }
  return found;
}
