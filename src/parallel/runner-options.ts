// The option types of ParallelRunner and its runScripts()/stream() calls, each field with
// its default. Types only: validation lives in validate-runner-options.ts.
import type { BackendOptions } from '../seam/backend-options.ts';
import type { ErgateLogger } from '../internal/logger.ts';
import type { ResourceRunnerOptions } from '../resources/resource-options.ts';
import type { RunOrder } from '../resources/run-order.ts';
import type { TimeoutSetting } from '../resources/timeout-policy.ts';
import type { StartMethod } from '../script/types.ts';
import type { ScriptConfig } from './build-plan.ts';
import type { EventBusLike, ProgressCallback } from './events.ts';
import type { RetainOutput } from './retain-output.ts';
import type { ScriptOutputListener } from './run-plan.ts';

export interface ParallelRunnerOptions extends ResourceRunnerOptions {
  /** Supervisor threads, i.e. scripts running at once. @default min(os.availableParallelism(), 8) */
  maxWorkers?: number;
  /** ('batch','started',{total,workers}), (name,'submitted',{}), (name,status,{durationMs}), ('batch','completed',counts) */
  onProgress?: ProgressCallback;
  /** @default 60_000 */
  defaultTimeoutMs?: number;
  /** First failed, timed-out or errored script cancels the rest, running ones included. @default false */
  failFast?: boolean;
  memoryLimitMb?: number;
  cpuTimeLimitS?: number;
  /** @default $ERGATE_PYTHON, else python3 from PATH; resolved once per runner */
  python?: string;
  /** Extra runs of a failed or timed-out script. @default 0 */
  retries?: number;
  /** A mitt emitter: script.submitted, script.started, script.finished, script.skipped, batch.started, batch.completed */
  eventBus?: EventBusLike;
  /** Run the scripts on `ergate worker`s through BullMQ/Redis instead of in-process. @default in-process */
  backend?: BackendOptions;
  /** false: scripts get only `env` plus envAllowList from process.env (no inherited secrets). @default true */
  inheritEnv?: boolean;
  /** Names of process.env variables passed through when inheritEnv is false. @default [] */
  envAllowList?: string[];
  /** 'forkserver': fork each script from a warm interpreter (see runScript). @default 'spawn' */
  startMethod?: StartMethod;
  /** Modules each warm fork server imports once, before forking (numpy, your package). Needs startMethod 'forkserver'. @default [] */
  preload?: string[];
  /** What the results runScripts keeps hold of their output: 'failed' empties stdout/stderr of passed scripts, 'none' of all. @default 'all' */
  retainOutput?: RetainOutput;
  /** Not bound to the task scope the runner is constructed in (by default its abort cancels every run). @default false */
  detached?: boolean;
  /** Each script's end is logged here (pino-compatible). @default debuglog('ergate') */
  logger?: ErgateLogger;
  /** A script that passes but leaves processes running (ScriptResult.leftovers) is 'failed'. @default false */
  failOnLeftovers?: boolean;
}

export interface RunScriptsOptions {
  /**
   * ms, or `{ percentOfMedian: 300, minMs?, maxMs? }`: 3x each script's median duration from
   * the history, at least minMs (default 1 s), at most maxMs, which a script without history
   * gets (default the runner's defaultTimeoutMs).
   * @default the runner's defaultTimeoutMs
   */
  timeoutMs?: TimeoutSetting;
  /** @default the runner's order */
  order?: RunOrder;
  /** @default each script's folder */
  cwd?: string;
  env?: Record<string, string>;
  /** Keyed by script basename, or by absolute path (which wins). */
  configs?: Record<string, ScriptConfig>;
  signal?: AbortSignal;
  /** @default the runner's retries */
  retries?: number;
  /** @default the runner's inheritEnv */
  inheritEnv?: boolean;
  /** @default the runner's envAllowList */
  envAllowList?: string[];
  /** @default the runner's startMethod */
  startMethod?: StartMethod;
  /** @default the runner's preload (with startMethod 'forkserver') */
  preload?: string[];
  /** Run each as `python -m MODULE script args...` (e.g. 'pytest'). @default the file itself */
  module?: string;
  /** Arguments every script gets first; a script's config args follow them. @default [] */
  args?: string[];
  /** forkserver: each result's `imports` lists the third-party modules its child had loaded. @default false */
  recordImports?: boolean;
  /** @default the runner's retainOutput */
  retainOutput?: RetainOutput;
  /** Not bound to the scope of the task runScripts() is called in. @default false */
  detached?: boolean;
  /** Aborted: start nothing more, let running scripts finish, skip the rest (a "halt soon"). */
  stopStarting?: AbortSignal;
  /** Live output of each script as it arrives (in-process runs; the Redis backend has none). */
  onOutput?: ScriptOutputListener;
}
