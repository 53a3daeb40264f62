// ParallelRunner: runs many Python scripts over one SupervisorPool of maxWorkers threads
// (created on first use, so an idle runner holds nothing). Owns the per-run AbortController
// that fail-fast, cancel(), the caller's signal and close() all abort. Invariant: runScripts
// resolves only after every child it started has been reaped, with every script counted once.
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { InferOutput } from 'valibot';
import { SupervisorPool } from '../script/supervisor-pool.ts';
import { parseOrThrow } from '../internal/option-schemas.ts';
import { bindingSignals, bindToScope } from '../internal/current-scope.ts';
import { checkBackendOptions, type BackendOptions } from '../seam/backend-options.ts';
import { loadBackend, type RemoteBackend, type RemotePool } from '../seam/backend-seam.ts';
import { checkResourceOptions, resolveResourceSettings } from '../resources/resource-options.ts';
import { orderScripts, type RunOrder } from '../resources/run-order.ts';
import { RunResources } from '../resources/run-resources.ts';
import { timeoutFor } from '../resources/timeout-policy.ts';
import { findInterpreter } from '../script/prepare-script.ts';
import type { ScriptResult } from '../script/types.ts';
import type { ScriptPath } from '../script/validate-options.ts';
import type { ScriptRef } from '../seam/planned-script.ts';
import { Plan } from './build-plan.ts';
import { RunNotifier, type ProgressCallback } from './events.ts';
import { ExecutionResult, RunTally } from '../seam/execution-result.ts';
import { retainOutput } from './retain-output.ts';
import { runPlan } from './run-plan.ts';
import { streamRun, type RunSink } from './stream-run.ts';
import {
  checkPreload,
  parallelRunnerOptionsSchema,
  runScriptsOptionsSchema,
  scriptListSchema,
} from './validate-runner-options.ts';

export type { ParallelRunnerOptions, RunScriptsOptions } from './runner-options.ts';
import type { ParallelRunnerOptions, RunScriptsOptions } from './runner-options.ts';

type ParsedRunnerOptions = InferOutput<typeof parallelRunnerOptionsSchema>;

export class ParallelRunner {
  readonly maxWorkers: number;
  readonly onProgress: ProgressCallback | undefined;
  readonly #options: ParsedRunnerOptions;
  #pool: SupervisorPool | null = null;
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
    this.#backend =
      options.backend === undefined ? null : checkBackendOptions(options.backend, 'ParallelRunner options.backend');
    this.maxWorkers = this.#options.maxWorkers ?? Math.min(os.availableParallelism(), 8);
    this.onProgress = this.#options.onProgress;
  }

  async runScripts(scripts: ScriptPath[], options: RunScriptsOptions = {}): Promise<ExecutionResult> {
    const byIndex: Array<ScriptResult | undefined> = new Array<ScriptResult | undefined>(scripts.length);
    const retain = options.retainOutput ?? this.#options.retainOutput ?? 'all';
    const sink: RunSink = { onResult: (ref, result) => (byIndex[ref.index] = retainOutput(result, retain)) };
    const durationMs = await this.#execute(scripts, options, sink, this.#scopes(options));
    const results = byIndex.filter((r): r is ScriptResult => r !== undefined);
    return new ExecutionResult(scripts.length, results, durationMs);
  }

  /**
   * Each ScriptResult as it finishes (completion order), keeping none of them. Backpressure:
   * at most maxWorkers × 2 scripts are started ahead of the consumer, so a consumer that stops
   * reading stops new starts. Leaving the loop early cancels the rest of the run.
   */
  stream(scripts: ScriptPath[], options: RunScriptsOptions = {}): AsyncGenerator<ScriptResult, void, undefined> {
    // The scopes are those of the caller now, not of whoever first iterates.
    const scopes = this.#scopes(options);
    return streamRun((sink, stop) => this.#execute(scripts, options, sink, [stop, ...scopes]), this.maxWorkers * 2);
  }

  /** The scopes a run started now obeys: the runner's construction scope and the caller's task (unless detached). */
  #scopes(options: RunScriptsOptions): AbortSignal[] {
    const detached = typeof options === 'object' && options !== null && options.detached === true;
    const scopes = bindingSignals(undefined, detached);
    if (this.#constructedIn !== undefined && !scopes.includes(this.#constructedIn)) scopes.push(this.#constructedIn);
    return scopes;
  }

  /** pids of this runner's live script launcher processes (diagnostics and tests). */
  get launcherPids(): number[] {
    return this.#pool?.launcherPids ?? [];
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

  /** @returns the run's duration in ms, once every script is settled and every child reaped */
  #execute(
    scripts: ScriptPath[],
    options: RunScriptsOptions,
    sink: RunSink,
    extraSignals: AbortSignal[] = [],
  ): Promise<number> {
    // Registered before the first await, so a cancel() or close() right after runScripts()
    // is never lost: the run then starts nothing and counts every script skipped.
    const controller = new AbortController();
    const run = this.#executeWith(controller, scripts, options, sink, extraSignals);
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
    scripts: ScriptPath[],
    options: RunScriptsOptions,
    sink: RunSink,
    extraSignals: AbortSignal[],
  ): Promise<number> {
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
    // The runner's interpreter, found once; the plan checks each run's start method against it.
    const python = await this.#interpreter();
    const local = this.#backend === null;
    // Sampling and admission act on local children; history and order work either way.
    const resources = new RunResources({
      ...resolveResourceSettings(defaults),
      ...(!local && { sampleMs: 0, treeMemoryLimitMb: null, memoryBudgetMb: null }),
    });
    const absoluteTimeoutMs = defaults.defaultTimeoutMs ?? 60_000;
    const timeout = opts.timeoutMs ?? absoluteTimeoutMs;
    const plan = new Plan(
      list,
      {
        timeoutMs:
          typeof timeout === 'number'
            ? timeout
            : (script) => timeoutFor(timeout, script, resources.estimates, absoluteTimeoutMs),
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
        preload: startMethod === 'forkserver' ? (opts.preload ?? defaults.preload) : undefined,
        module: opts.module,
        args: opts.args,
        recordImports: opts.recordImports,
        liveOutput: opts.onOutput !== undefined,
        failOnLeftovers: defaults.failOnLeftovers,
      },
      python,
    );
    const order = startOrder(plan, opts.order ?? defaults.order ?? 'given', resources);
    // Distributed: the manifest records the whole run, each spec built and dropped in turn;
    // a window of jobs is in the queue at once, topped up as results come back; the
    // workers' -j limits what runs.
    let remote: RemotePool | null = null;
    if (this.#backend && !controller.signal.aborted) {
      remote = await (
        await this.#remoteBackend(this.#backend)
      ).openRun(
        { size: plan.size, order, resolve: (index) => plan.resolve(index) },
        {
          inheritEnv: opts.inheritEnv ?? defaults.inheritEnv ?? true,
          envAllowList: opts.envAllowList ?? defaults.envAllowList ?? [],
        },
      );
      setMaxListeners(remote.window + 16, controller.signal);
    }

    const notifier = new RunNotifier(this.onProgress, defaults.eventBus);
    notifier.emit('batch.started', {
      total: list.length,
      workers: this.maxWorkers,
      ...(remote && { runId: remote.runId }),
    });
    for (let index = 0; index < plan.size; index++) {
      const ref = plan.ref(index);
      notifier.emit('script.submitted', { ...ref, expectedMs: resources.estimates.medianDurationMs(ref.script) });
    }
    const tally = new RunTally();
    const concurrency = remote ? remote.window : this.maxWorkers;
    // Registered before the first start: each script's usage keeps the wake it was begun with.
    let wake = (): void => undefined;
    resources.whenRoomMayHaveFreed(() => wake());
    const run = runPlan({
      size: plan.size,
      refAt: (index) => plan.ref(index),
      resolve: (index) => plan.resolve(index),
      // Asked for only when a script starts: an aborted run (e.g. after close()) creates no pool.
      getPool: () => remote ?? this.#getPool(),
      concurrency,
      controller,
      failFast: defaults.failFast ?? false,
      notifier,
      resources,
      logger: defaults.logger,
      ...(order && { order }),
      ...(opts.stopStarting && { stopStarting: opts.stopStarting }),
      ...(opts.onOutput && { onOutput: opts.onOutput }),
      // Memory admission holds the next script back (and so every one behind it: order is
      // kept) until the running ones leave room; then the sink's own gate (stream backpressure).
      admit: (ref: ScriptRef, active: number) =>
        resources.mayStart(ref.script) && (sink.admit?.(ref, active, concurrency) ?? true),
      onResult: (ref, result) => {
        tally.add(result.status);
        sink.onResult(ref, result);
      },
    });
    wake = run.wake;
    sink.attach?.(run.wake);
    await run.done.finally(() => resources.close());
    await remote?.finish();
    const durationMs = Math.round(performance.now() - started);
    notifier.emit('batch.completed', tally.counts(list.length, durationMs));
    return durationMs;
  }

  /** The only way to Redis: a factory loaded on the first run with a backend. */
  #remoteBackend(options: BackendOptions): Promise<RemoteBackend> {
    this.#remote ??= loadBackend().then((m) => m.createRemoteBackend(options, 'ParallelRunner options.backend'));
    return this.#remote;
  }

  #getPool(): SupervisorPool {
    this.#pool ??= new SupervisorPool({ size: this.maxWorkers });
    return this.#pool;
  }

  #interpreter(): Promise<string | Error> {
    // A missing interpreter is a failure of every script ('error'), not of the runner.
    this.#python ??= findInterpreter(this.#options.python).then(
      (python) => python,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    return this.#python;
  }
}

/** Plan indices in start order, or null for the order given (nothing to build). */
function startOrder(plan: Plan, order: RunOrder, resources: RunResources): number[] | null {
  if (order === 'given') return null;
  const refs = Array.from({ length: plan.size }, (_, index) => plan.ref(index));
  return orderScripts(refs, order, resources.estimates).map((ref) => ref.index);
}
