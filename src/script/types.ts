// Public types of a single script run (docs/API.md, "Scripts"), plus the fully
// resolved ScriptSpec that the main thread hands to a supervisor worker. Options are
// validated once at the boundary (validate-options.ts); a ScriptSpec is trusted as-is.

/** How a script run ended. See ScriptResult.status. */
export type ScriptStatus = 'passed' | 'failed' | 'timeout' | 'error' | 'cancelled';

/** How the Python child is started: a fresh interpreter, or a fork of a warm server. */
export type StartMethod = 'spawn' | 'forkserver';

export type { ErgateLogger } from '../internal/logger.ts';
import type { ErgateLogger } from '../internal/logger.ts';

export interface RunScriptOptions {
  /** Kill the whole process group after this many ms. @default 60_000 */
  timeoutMs?: number;
  /** Merged over process.env (or over nothing when inheritEnv is false). */
  env?: Record<string, string>;
  /** @default the script's folder */
  cwd?: string;
  /** argv after the script path, passed literally (never through a shell). @default [] */
  args?: string[];
  /** Exit codes that count as 'passed'. @default [0] */
  allowedExitCodes?: number[];
  /** RLIMIT_DATA in MiB, set inside the child before user code runs. Unix only. */
  memoryLimitMb?: number;
  /** RLIMIT_CPU in seconds. Unix only. */
  cpuTimeLimitS?: number;
  /** Interpreter. @default $ERGATE_PYTHON, else `python3` from PATH (resolved once) */
  python?: string;
  /** Cap per stream; head and tail are kept with a marker. @default 10 MiB */
  maxOutputBytes?: number;
  /** Abort kills the process group; status 'cancelled'. */
  signal?: AbortSignal;
  /** Live output, decoded as UTF-8 (invalid bytes replaced). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /** Time between SIGTERM and SIGKILL of the group. @default 2_000 */
  killGraceMs?: number;
  /** @default true; false passes only `env` (plus envAllowList from process.env). */
  inheritEnv?: boolean;
  /** Names of process.env variables passed through when inheritEnv is false. */
  envAllowList?: string[];
  /** @default 'spawn' */
  startMethod?: StartMethod;
  /** Modules the fork server imports before forking (startMethod 'forkserver'). */
  preload?: string[];
  /**
   * Run `python -m MODULE scriptPath args...` instead of the file (e.g. 'pytest'), in both
   * start methods: the module runs as `__main__` with sys.argv and sys.path[0] as `-m` sets them.
   */
  module?: string;
  /** forkserver: result.imports lists the third-party modules the child had loaded at its end. @default false */
  recordImports?: boolean;
  /** @default util.debuglog('ergate') */
  logger?: ErgateLogger;
  /** Not bound to the enclosing task's scope (by default its abort cancels the script). @default false */
  detached?: boolean;
  /** A script that passes but leaves processes running (see ScriptResult.leftovers) is 'failed'. @default false */
  failOnLeftovers?: boolean;
}

export interface ScriptResult {
  /** absolute path */
  script: string;
  /** basename, e.g. 'test_x.py' */
  name: string;
  /** name of the containing folder */
  subdirectory: string;
  status: ScriptStatus;
  exitCode: number | null;
  /** e.g. 'SIGKILL' when killed by a signal */
  signal: string | null;
  stdout: string;
  stderr: string;
  /** plain-language reason whenever status !== 'passed' */
  error: string | null;
  startTime: string;
  endTime: string;
  durationMs: number;
  /** Peak resident set size of the child in KiB, where the OS reports it. */
  peakRssKb?: number | null;
  /**
   * Peak memory of the child and its descendants in KiB from live samples (pages shared with
   * a fork server counted once, PSS); null when no sample was taken. Set by runners that sample.
   */
  peakTreeRssKb?: number | null;
  /**
   * The sampled tree memory over the run as [ms since startTime, KiB] pairs, at most 64 (long
   * runs are thinned, keeping the larger of merged samples); set by runners that sample.
   */
  memorySamples?: [offsetMs: number, treeRssKb: number][];
  /** Which of the run's slots ran it (0-based; with --redis, the slot on `worker`); null for a lone runScript or a script that never started. */
  slot?: number | null;
  /** With a Redis backend: the `ergate worker` (hostname:pid) that ran it. */
  worker?: string;
  /** User + system CPU time of the child in ms, where the OS reports it. */
  cpuTimeMs?: number | null;
  /** How many runs it took (1 unless retried). */
  attempts?: number;
  /** The earlier runs of a retried script, oldest first, output included. */
  failedAttempts?: AttemptRecord[];
  /**
   * With a Redis backend: one entry per attempt lost because its worker died (the worker's
   * id, or 'an unknown worker'); such a re-run is counted in `attempts` but is not a failure.
   */
  lostOn?: string[];
  /** Process id of the Python child (for diagnostics and leak tests). */
  pid?: number | null;
  /**
   * What the script left running when it ended (a daemon, a forgotten server), each killed
   * then by ergate's sweep: pid and command line (cut to 200 characters). [] when none.
   */
  leftovers?: { pid: number; command: string }[];
  /** Test counts from the JUnit XML the child wrote (pytest mode, or `$ERGATE_JUNIT_XML`); null when none. */
  tests?: TestCounts | null;
  /** One entry per test case of that JUnit XML, document order; null when none. */
  testCases?: TestCase[] | null;
  /**
   * With recordImports (forkserver): the top-level modules the child had loaded from
   * site-packages or dist-packages when it ended, name -> file.
   */
  imports?: Record<string, string>;
}

export type TestStatus = 'passed' | 'failed' | 'error' | 'skipped' | 'xfailed' | 'xpassed';

export interface TestCounts {
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  xfailed: number;
  xpassed: number;
}

export interface TestCase {
  /** pytest's node id (`pkg/test_x.py::TestY::test_z[1]`), else `classname::name` */
  id: string;
  classname: string;
  name: string;
  status: TestStatus;
  durationMs: number;
  /** the failure, error or skip message; null for a passing test */
  message: string | null;
}

/** One failed or timed-out run of a script that was then retried. */
export type AttemptRecord = Pick<
  ScriptResult,
  | 'status'
  | 'exitCode'
  | 'signal'
  | 'stdout'
  | 'stderr'
  | 'error'
  | 'startTime'
  | 'durationMs'
  | 'slot'
  | 'worker'
  | 'peakTreeRssKb'
  | 'memorySamples'
>;

/**
 * Everything a supervisor needs to run one script, already validated and resolved in the
 * main thread: absolute paths, the real interpreter, the full child environment.
 */
export interface ScriptSpec {
  script: string;
  python: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  allowedExitCodes: number[];
  memoryLimitMb: number | null;
  cpuTimeLimitS: number | null;
  maxOutputBytes: number;
  killGraceMs: number;
  startMethod: StartMethod;
  preload: string[];
  /** `python -m module script args...` when set */
  module?: string;
  /** forkserver: the child lists its third-party modules at its end (ScriptResult.imports) */
  recordImports?: boolean;
  /** whether the caller wants live output chunks posted back */
  liveOutput: boolean;
  /** a passing run that left processes running is 'failed' (absent: false) */
  failOnLeftovers?: boolean;
}
