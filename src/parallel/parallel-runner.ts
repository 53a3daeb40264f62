// ParallelRunner: runs many Python scripts over one SupervisorPool of maxWorkers threads
// (created on first use, so an idle runner holds nothing). Owns the per-run AbortController
// that fail-fast, cancel(), the caller's signal and close() all abort. Invariant: runScripts
// resolves only after every child it started has been reaped, with every script counted once.
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { InferOutput } from 'valibot';
import { SupervisorPool } from '../script/supervisor-pool.ts';
import type { RemoteBackend } from '../distributed/remote-factory.ts';
import { bindingSignals, bindToScope } from '../internal/current-scope.ts';
import type { ErgateLogger } from '../internal/logger.ts';
import { checkBackendOptions, type BackendOptions } from '../distributed/validate-options.ts';
import { checkResourceOptions, resolveResourceSettings, type ResourceRunnerOptions } from '../resources/resource-options.ts';
import { orderScripts, type RunOrder } from '../resources/run-order.ts';
import { RunResources } from '../resources/run-resources.ts';
import { timeoutFor, type TimeoutSetting } from '../resources/timeout-policy.ts';
import { resolvePython } from '../script/python.ts';
import type { ScriptResult, StartMethod } from '../script/types.ts';
import { buildPlan, type ScriptConfig } from './build-plan.ts';
import { CrashBreaker } from './crash-breaker.ts';
import { RunNotifier, type EventBusLike, type ParallelEventName, type ParallelEvents, type ProgressCallback } from './events.ts';
import { ExecutionResult } from './execution-result.ts';
import { runPlan, type ScriptOutputListener } from './run-plan.ts';
import { streamRun } from './stream-run.ts';
import { checkPreload, parallelRunnerOptionsSchema, parseOrThrow, runScriptsOptionsSchema, scriptListSchema } from './validate-runner-options.ts';

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
  /** Not bound to the task scope the runner is constructed in (by default its abort cancels every run). @default false */
  detached?: boolean;
  /** Each script's end is logged here (pino-compatible). @default debuglog('ergate') */
  logger?: ErgateLogger;
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
  /** Not bound to the scope of the task runScripts() is called in. @default false */
  detached?: boolean;
  /** Aborted: start nothing more, let running scripts finish, skip the rest (a "halt soon"). */
  stopStarting?: AbortSignal;
  /** Live output of each script as it arrives (in-process runs; the Redis backend has none). */
  onOutput?: ScriptOutputListener;
}

type Hook = <K extends ParallelEventName>(type: K, event: ParallelEvents[K]) => void;
type ParsedRunnerOptions = InferOutput<typeof parallelRunnerOptionsSchema>;

export class ParallelRunner {
  readonly maxWorkers: number;
  readonly onProgress: ProgressCallback | undefined;
  readonly #options: ParsedRunnerOptions;
  #pool: SupervisorPool | null = null;
  #breaker = new CrashBreaker();
  #python: Promise<string | Error> | null = null;
  readonly #runs = new Map<AbortController, Promise<unknown>>();
  #closing: Promise<void> | null = null;
  readonly #backend: BackendOptions | null;
  #remote: Promise<RemoteBackend> | null = null;
  /** The task scope the runner was constructed in: its abort cancels every run. */
  readonly #constructedIn: AbortSignal | undefined;

  constructor(options: ParallelRunnerOptions = {}) {
    this.#options = parseOrThrow(parallelRunnerOptionsSchema, options, 'ParallelRunner options');
    this.#constructedIn = bindToScope(undefined, this.#options.detached);
    checkPreload(this.#options.preload, this.#options.startMethod, 'ParallelRunner options');
    checkResourceOptions(this.#options, 'ParallelRunner options');
    this.#backend = options.backend === undefined ? null : checkBackendOptions(options.backend, 'ParallelRunner options.backend');
    this.maxWorkers = this.#options.maxWorkers ?? Math.min(os.availableParallelism(), 8);
    this.onProgress = this.#options.onProgress;
  }

  runScripts(scripts: string[], options: RunScriptsOptions = {}): Promise<ExecutionResult> {
    return this.#execute(scripts, options, [], this.#scopes(options));
  }

  /** Each ScriptResult as it finishes; leaving the loop early cancels the rest of the run. */
  stream(scripts: string[], options: RunScriptsOptions = {}): AsyncGenerator<ScriptResult, void, undefined> {
    const scopes = this.#scopes(options);
    return streamRun((onResult, stop) =>
      this.#execute(scripts, options, [(type, event) => {
        if (type === 'script.finished') onResult((event as ParallelEvents['script.finished']).result);
      }], [stop, ...scopes]),
    );
  }

  /** The scopes a run started now obeys: the runner's construction scope and the caller's task (unless detached). */
  #scopes(options: RunScriptsOptions): AbortSignal[] {
    const detached = typeof options === 'object' && options !== null && options.detached === true;
    const scopes = bindingSignals(undefined, detached);
    if (this.#constructedIn !== undefined && !scopes.includes(this.#constructedIn)) scopes.push(this.#constructedIn);
    return scopes;
  }

  /** The live supervisor threads of this runner's pool (diagnostics and tests). */
  get supervisorThreads(): readonly Worker[] {
    return this.#pool?.threads ?? [];
  }

  /** Cancels every run in progress: queued scripts never start, running ones are killed. */
  cancel(): void {
    for (const controller of this.#runs.keys()) controller.abort(new Error('runner.cancel() was called'));
  }

  /** Cancels runs in progress, waits until their children are reaped, then closes the pool. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const controller of this.#runs.keys()) controller.abort(new Error('the runner was closed'));
      await Promise.allSettled(this.#runs.values());
      await this.#pool?.close();
      this.#pool = null;
      if (this.#remote) await (await this.#remote).close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #execute(scripts: string[], options: RunScriptsOptions, hooks: Hook[], extraSignals: AbortSignal[]): Promise<ExecutionResult> {
    // Registered before the first await, so a cancel() or close() right after runScripts()
    // is never lost: the run then starts nothing and counts every script skipped.
    const controller = new AbortController();
    const run = this.#executeWith(controller, scripts, options, hooks, extraSignals);
    this.#runs.set(controller, run);
    const forget = (): void => {
      this.#runs.delete(controller);
      // Removes the listeners on the caller's signals (registered with controller.signal).
      if (!controller.signal.aborted) controller.abort(new Error('run finished'));
    };
    run.then(forget, forget);
    return run;
  }

  async #executeWith(
    controller: AbortController,
    scripts: string[],
    options: RunScriptsOptions,
    hooks: Hook[],
    extraSignals: AbortSignal[],
  ): Promise<ExecutionResult> {
    if (this.#closing) throw new Error('ParallelRunner is closed: create a new runner');
    const list = parseOrThrow(scriptListSchema, scripts, 'scripts');
    const opts = parseOrThrow(runScriptsOptionsSchema, options, 'runScripts options');
    const startMethod = opts.startMethod ?? this.#options.startMethod;
    checkPreload(opts.preload, startMethod, 'runScripts options');
    const started = performance.now();
    // Every running script listens on this signal (one listener per pool.run), by design.
    setMaxListeners(this.maxWorkers + 16, controller.signal);
    const signals = [opts.signal, ...extraSignals].filter((s): s is AbortSignal => s !== undefined);
    for (const signal of signals) {
      // The caller's reason travels on, so results say e.g. "cancelled: interrupted".
      const abort = (): void => controller.abort(signal.reason ?? new Error('aborted'));
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true, signal: controller.signal });
    }
    const defaults = this.#options;
    const python = await this.#resolvePython();
    const local = this.#backend === null;
    // Sampling and admission act on local children; history and order work either way.
    const resources = new RunResources({
      ...resolveResourceSettings(defaults),
      ...(!local && { sampleMs: 0, treeMemoryLimitMb: null, memoryBudgetMb: null }),
    });
    const absoluteTimeoutMs = defaults.defaultTimeoutMs ?? 60_000;
    const timeout = opts.timeoutMs ?? absoluteTimeoutMs;
    const unordered = buildPlan(list, {
      timeoutMs: (script) => timeoutFor(timeout, script, resources.estimates, absoluteTimeoutMs),
      memoryLimitMb: defaults.memoryLimitMb,
      cpuTimeLimitS: defaults.cpuTimeLimitS,
      python: defaults.python,
      retries: opts.retries ?? defaults.retries ?? 0,
      cwd: opts.cwd,
      env: opts.env,
      configs: opts.configs,
      inheritEnv: opts.inheritEnv ?? defaults.inheritEnv,
      envAllowList: opts.envAllowList ?? defaults.envAllowList,
      startMethod,
      // A runner's preload belongs to its fork servers: a run switched to spawn drops it.
      preload: startMethod === 'forkserver' ? opts.preload ?? defaults.preload : undefined,
      liveOutput: opts.onOutput !== undefined,
    }, python);
    const plan = orderScripts(unordered, opts.order ?? defaults.order ?? 'given', resources.estimates);
    // Distributed: a window of jobs in the queue, topped up as results come back; the workers' -j limits what runs.
    const remote = this.#backend && !controller.signal.aborted ? await (await this.#remoteBackend(this.#backend)).openRun(plan, {
      inheritEnv: opts.inheritEnv ?? defaults.inheritEnv ?? true,
      envAllowList: opts.envAllowList ?? defaults.envAllowList ?? [],
    }) : null;
    if (remote) setMaxListeners(remote.window + 16, controller.signal);

    const notifier = new RunNotifier(this.onProgress, defaults.eventBus, hooks);
    notifier.emit('batch.started', { total: list.length, workers: this.maxWorkers, ...(remote && { runId: remote.runId }) });
    for (const item of unordered) {
      const expectedMs = resources.estimates.medianDurationMs(item.script);
      notifier.emit('script.submitted', { name: item.name, script: item.script, index: item.index, expectedMs });
    }
    const byIndex = await runPlan({
      plan,
      // Asked for only when a script starts: an aborted run (e.g. after close()) creates no pool.
      getPool: () => remote ?? this.#getPool(),
      concurrency: remote ? remote.window : this.maxWorkers,
      controller,
      failFast: defaults.failFast ?? false,
      notifier,
      breaker: this.#breaker,
      resources,
      logger: defaults.logger,
      ...(opts.stopStarting && { stopStarting: opts.stopStarting }),
      ...(opts.onOutput && { onOutput: opts.onOutput }),
    }).finally(() => resources.close());
    await remote?.finish();
    const results = byIndex.filter((r): r is ScriptResult => r !== undefined);
    const result = new ExecutionResult(list.length, results, Math.round(performance.now() - started));
    if (this.#breaker.tripped) this.#discardPool();
    notifier.emit('batch.completed', result.toJSON());
    return result;
  }

  /** The only way to Redis: a factory loaded on the first run with a backend. */
  #remoteBackend(options: BackendOptions): Promise<RemoteBackend> {
    this.#remote ??= import('../distributed/remote-factory.ts').then((m) => m.createRemoteBackend(options, 'ParallelRunner options.backend'));
    return this.#remote;
  }

  #getPool(): SupervisorPool {
    this.#pool ??= new SupervisorPool({ size: this.maxWorkers });
    return this.#pool;
  }

  /** A broken pool is closed; the next run gets a fresh one and a reset breaker. */
  #discardPool(): void {
    const pool = this.#pool;
    this.#pool = null;
    this.#breaker = new CrashBreaker();
    void pool?.close().catch(() => undefined);
  }

  #resolvePython(): Promise<string | Error> {
    // A missing interpreter is a failure of every script ('error'), not of the runner.
    this.#python ??= resolvePython(this.#options.python).then(
      (python) => python,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    return this.#python;
  }
}
