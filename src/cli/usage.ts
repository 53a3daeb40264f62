// Owns the CLI's help text, version string and the UsageError that main() turns into exit
// code 2 with a clear message and a hint.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../internal/worker-file.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The flags of `ergate worker`, shared by both help texts (kept here: no bullmq to load). */
export const WORKER_FLAGS = `      --redis URL           redis://[user:password@]host:port/db (default: $ERGATE_REDIS_URL;
                            a password may also come from $ERGATE_REDIS_PASSWORD)
      --queue NAME          queue name (default: ergate)
  -j, --jobs N              scripts running at once (default: CPU count)
      --root DIR            this machine's checkout; job paths are relative to it (default: cwd)
      --python PATH         interpreter (default: $ERGATE_PYTHON, else python3 on PATH)
      --lock-duration T     a dead worker's jobs are recovered after this (default: 30s)
      --stalled-interval T  how often to look for jobs of dead workers (default: 30s)
      --grace T             on SIGTERM, how long running scripts may finish (default: 30s)
      --functions DIR       run function jobs for modules in DIR (inside --root; repeatable;
                            default: none, function jobs are refused)
      --allow-env NAMES     let jobs set these denied variables (LD_*, DYLD_*, PYTHON*,
                            NODE_OPTIONS, NODE_PATH, BASH_ENV, ENV); comma-separated, repeatable
      --max-timeout T       refuse jobs asking for a longer timeout (default: 1h)
      --max-output SIZE     refuse jobs asking for more output per stream (default: 10MiB)`;

export const HELP = `Usage: ergate run <files|folders|globs...> [options]
       ergate worker --redis URL [worker options]

Runs Python scripts in parallel, each in its own process group, and reports every one.
Folders are searched recursively for --pattern, in sorted order.

Options:
  -j, --jobs N          scripts running at once (default: min(CPU count, 8))
      --timeout T       per-script timeout, e.g. 30s, 500ms, 2m (default: 60s)
      --memory MIB      memory limit per script in MiB (RLIMIT_DATA)
      --cpu-time T      CPU-time limit per script, e.g. 10s (RLIMIT_CPU)
      --fail-fast       the first failure or timeout cancels the rest
      --retries N       run a failed or timed-out script up to N more times
      --python PATH     interpreter (default: $ERGATE_PYTHON, else python3 on PATH)
      --start-method M  spawn (a fresh python per script, default) or forkserver
                        (fork each script from a warm python: much faster start-up)
      --preload MODS    with forkserver: modules imported once before forking,
                        comma-separated, e.g. numpy,mypkg
      --pattern GLOB    what to look for inside folders (default: **/*.py)
      --json FILE       write a JSON report (counts and every result)
      --junit FILE      write a JUnit XML report
      --joblog FILE     append one line per finished script
      --resume-failed   with --joblog: skip scripts that passed in that joblog
      --redis URL       run on \`ergate worker\`s through this Redis (see: ergate worker --help)
      --queue NAME      with --redis: the queue (default: ergate)
      --root DIR        with --redis: shared root script paths are sent relative to (default: cwd)
  -q, --quiet           only the final summary
      --no-progress     plain lines instead of the live progress bar
  -h, --help            show this help
  -V, --version         show the version

\`ergate worker\` (one per machine) takes script jobs from Redis and runs them here:
${WORKER_FLAGS}
  SIGTERM/SIGINT: stop taking jobs, finish or hand back running ones, exit 0. More: ergate worker --help

Exit codes: 0 all passed, 1 any failed or timed out, 2 bad usage, 130 interrupted.
NO_COLOR disables colours; CI=true or a non-TTY output prints one line per script.`;

export const HINT = 'Run "ergate --help" for usage.';

export function readVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
