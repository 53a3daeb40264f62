// Owns the CLI's help text, version string and the UsageError that main() turns into exit
// code 2 with a clear message and a hint.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../internal/worker-file.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The flags of `ergate worker`, shared by both help texts (kept here: no bullmq to load). */
export const WORKER_FLAGS = `      --redis URL           redis://[user:password@]host:port/db (default: $ERGATE_REDIS_URL;
                            a password may also come from $ERGATE_REDIS_PASSWORD)
      --redis-cluster NODES a Redis Cluster instead: HOST:PORT[,HOST:PORT...] (some or all
                            of its nodes; password from $ERGATE_REDIS_PASSWORD)
      --queue NAME          queue name (default: ergate)
  -j, --jobs N              scripts running at once (default: CPU count)
      --root DIR            this machine's checkout; job paths are relative to it (default: cwd)
      --python PATH         interpreter (default: $ERGATE_PYTHON, else python3 on PATH)
      --lock-duration T     a dead worker's jobs are recovered after this (default: 30s)
      --stalled-interval T  how often to look for jobs of dead workers (default: 30s)
      --grace T             on SIGTERM, how long running scripts may finish (default: 30s)
      --functions DIR       run function jobs for modules in DIR (inside --root; repeatable;
                            default: none, function jobs are refused)
      --allow-env NAMES     let jobs set these variables: NAME or PREFIX_*; comma-separated,
                            repeatable (default: only PYTHONUNBUFFERED, PYTHONIOENCODING,
                            PYTHONHASHSEED, PYTHONDONTWRITEBYTECODE, PYTHONUTF8,
                            PYTHONFAULTHANDLER, NO_COLOR, FORCE_COLOR)
      --pattern GLOB        run only scripts this would select under --root (default: **/*.py)
      --max-timeout T       refuse jobs asking for a longer timeout (default: 1h)
      --max-output SIZE     refuse jobs asking for more output per stream (default: 10MiB)
      --start-method M      spawn (a fresh python per script, default) or forkserver (a
                            fork of a warm python per slot: much faster for short scripts)
      --preload MODS        with forkserver: modules imported once before forking`;

export const HELP = `Usage: ergate run [files|folders|globs...] [options] [-- ARGS for every script]
       ergate merge-reports A.json B.json... [--json F] [--junit F] [--html F]
       ergate worker --redis URL|--redis-cluster NODES [worker options]
       ergate help [worker]

Runs Python scripts in parallel, each in its own process group, and reports every one.
Folders are searched recursively for --pattern, in sorted order, skipping __init__.py,
conftest.py, setup.py, hidden folders, __pycache__, virtualenvs, site-packages and node_modules.
Without a path: the config file's "paths", else the working folder.

Choosing what runs:
      --pattern GLOB    what to look for inside folders (default: **/*.py)
      --exclude GLOB    leave out matching scripts or a folder (repeatable); a GLOB
                        without "/" matches the name in any folder, e.g. --exclude 'slow_*'
  -k TEXT               only scripts whose relative path contains TEXT
      --lf, --last-failed  only the scripts that failed last time (all if none did)
      --shard I/N       run only share I of N (for N CI machines), e.g. --shard 2/4
      --pytest          run test files with pytest, each in its own process: folders
                        are searched for test_*.py and *_test.py, each file runs as
                        python -m pytest -q -p no:cacheprovider --rootdir ROOT FILE
                        (ROOT by pytest's rule for the whole run); arguments after
                        -- go to pytest; results name every test
      --durations-file F  with --shard: balance the shares by the durations in F
      --store-durations F  after the run, write each script's median duration to F
      --list            print the scripts that would run (in --order), and exit
                        (alias: --dry-run)
      --config FILE     settings file (default: ergate.config.json, else
                        [tool.ergate] in pyproject.toml, in the working directory)

Limits (per script):
  -j, --jobs N|P%       scripts running at once, or a share of the cores such as 200%
                        (default: min(CPU count, 8)); -n N (or -n auto) is the same
      --timeout T       e.g. 30s, 500ms, 2m, 1m30s, or none (default: 60s)
      --memory SIZE     memory limit, e.g. 512M, 2G; a bare number is MiB (RLIMIT_DATA)
      --cpu-time T      CPU-time limit, e.g. 10s (RLIMIT_CPU)
      --retries N       run a failed or timed-out script up to N more times; a script
                        that passes on a retry is reported flaky
      --python PATH     interpreter (default: $ERGATE_PYTHON, else python3 on PATH)
      --env K=V         set a variable for every script (repeatable)
      --start-method M  spawn (a fresh python per script, default) or forkserver
                        (fork each script from a warm python: much faster start-up)
      --preload MODS    with forkserver: modules imported once before forking,
                        comma-separated, e.g. numpy,mypkg
      --fail-on-leftovers  a script that passes but leaves processes running (a
                        daemon, a server) is failed; they are killed either way

Resources and history (the history is .ergate/history.ndjson in the working folder):
      --timeout P%      P% of each script's median time from the history, e.g. 300%
      --timeout-min T   with --timeout P%: at least T (default: 1s)
      --timeout-max T   with --timeout P%: at most T, and the timeout of a script
                        without history (default: 60s)
      --order O         given (default), longest-first (longest median time first)
                        or failed-first (scripts that failed last time first)
      --tree-memory SIZE  kill a script whose whole process tree holds more than SIZE
                        (sampled, so it can overshoot between samples)
      --memory-budget SIZE|auto  start a script only when its predicted peak fits
                        beside the running ones; auto = 80% of available memory
      --sample T        how often running scripts' trees are sampled (default: 500ms;
                        0 = off)
      --no-history      neither read nor write the history

Stopping early:
  -x, --fail-fast       same as --halt now,fail=1
      --maxfail N       after N failures start nothing more and stop running scripts
      --halt R          now,fail=N | soon,fail=N | now,fail=P% | soon,fail=P%: after N
                        failures (or P% of the scripts finished so far), "now" kills
                        running scripts, "soon" lets them finish; nothing more starts

Output and reports:
      --show-output     print each script's output live, every line prefixed with
                        the script's path and a tab (alias: --tag)
      --json FILE       write a JSON report (counts and every result); --json - writes
                        it to stdout and the rest to stderr
      --junit FILE      write a JUnit XML report
      --html FILE       write a self-contained HTML report (timeline of every slot,
                        memory over time, failures); also: ergate report run.json --html FILE
      --joblog FILE     append one line per finished script (GNU parallel's layout)
      --resume-failed   with --joblog: skip scripts that passed in that joblog
  -q, --quiet           only the final summary
  -v, --verbose         one line per script even on a terminal (no progress bar)
      --no-progress     plain lines instead of the live progress bar
      --durations N     list the N slowest scripts in the summary (default: 5)
      --color WHEN      auto (default), always or never

Distributed:
      --redis URL       run on \`ergate worker\`s through this Redis (see: ergate help worker)
      --redis-cluster NODES  the same through a Redis Cluster: HOST:PORT[,HOST:PORT...]
      --queue NAME      with --redis: the queue (default: ergate)
      --root DIR        with --redis: shared root script paths are sent relative to (default: cwd)
      --redis-timeout T with --redis: without Redis this long, end the run with an error
                        (unfinished scripts reported as errors; default: 60s)

  -h, --help            show this help
  -V, --version         show the version

Exit codes: 0 all passed, 1 any failed or timed out, 2 bad usage, 70 internal error
(a bug in ergate: please report it), 130 interrupted.
Colours: on a terminal only; NO_COLOR=1 or TERM=dumb turns them off, FORCE_COLOR=1 on
(FORCE_COLOR=0 off). CI=true or a non-terminal output prints one line per script.`;

export const HINT = 'Run "ergate --help" for usage.';

export function readVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
