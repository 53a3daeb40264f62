// Owns the CLI's help text, version string and the UsageError that main() turns into exit
// code 2 with a clear message and a hint.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../internal/worker-file.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `Usage: ergate run <files|folders|globs...> [options]

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

Exit codes: 0 all passed, 1 any failed or timed out, 2 bad usage, 130 interrupted.
NO_COLOR disables colours; CI=true or a non-TTY output prints one line per script.`;

export const HINT = 'Run "ergate --help" for usage.';

export function readVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
