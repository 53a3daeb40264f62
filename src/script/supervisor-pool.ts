// The one code path that starts and supervises every Python script, for runScript, the
// parallel runner, the scheduler and `ergate worker`, in both start methods: `size` slots
// served by launcher processes (python/launcher.py) started from this (main) thread, about
// one per core, each running several scripts when the pool is wider than the machine.
// A launcher forks or execs the script, enforces its deadline, kills its tree and reaps it;
// supervise-run.ts turns its report into the ScriptResult. No thread per script, and no
// fork of Node per script.
// Invariants: run() never rejects for a script's failure; close() resolves only after every
// child it started has been killed and reaped; idle launchers are unref'd, so the pool never
// keeps the process alive.
import os from 'node:os';
import { StartupBreaker } from '../internal/startup-breaker.ts';
import { errorResult, type ResultAdds } from './script-result.ts';
import type { Launcher } from './launcher/launcher.ts';
import { fitToOpenFiles, openFileLimit, warnNarrowed } from './launcher/fd-budget.ts';
import { LauncherSet } from './launcher/launcher-set.ts';
import { defaultLogger, guardOutputListener, logEnd, logStart } from './logger.ts';
import { SlotQueue, abortMessage } from './slot-queue.ts';
import type { StopReason } from './stop-reason.ts';
import { superviseRun, type RunningScript, type SupervisedRun } from './supervise-run.ts';
import type { ErgateLogger, ScriptResult, ScriptSpec } from './types.ts';

export interface SupervisorRunOptions {
  /** abort => kill the child's tree, status 'cancelled' */
  signal?: AbortSignal;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  logger?: ErgateLogger;
  /** Called once the child runs, with a handle to stop it for a reason of the caller's. */
  onStart?: (running: RunningScript) => void;
  /** What the caller adds to the result (attempts, samples, its worker), asked for when it is built (startedAt: its start, ms). */
  adds?: (startedAt: number) => ResultAdds;
  /** A lone call that belongs to no run: its result has no slot (slot null). */
  lone?: boolean;
}

export interface SupervisorPoolOptions {
  /** scripts running at once */
  size: number;
  /** idle launchers exit after this long. @default 30_000 */
  idleTimeoutMs?: number;
  /** After 5 launcher start failures in a row, how long no launcher is started. @default 10_000 */
  startupCooldownMs?: number;
  /** launcher processes the slots are spread over at full width. @default min(size, cores) */
  launchers?: number;
}

export class SupervisorPool implements AsyncDisposable {
  readonly size: number;
  readonly #idleMs: number;
  readonly #launchers: LauncherSet;
  readonly #queue: SlotQueue;
  readonly #active = new Set<SupervisedRun>();
  /** slot numbers not in use, lowest first taken: a run's result says which slot ran it */
  readonly #freeSlots: number[];
  /** launcher start failures only: a script's own failure never counts */
  readonly #breaker: StartupBreaker;
  #closing: Promise<void> | null = null;

  constructor(options: SupervisorPoolOptions) {
    if (!Number.isInteger(options?.size) || options.size < 1) {
      throw new TypeError(`options.size must be a positive integer (got ${String(options?.size)})`);
    }
    this.#idleMs = options.idleTimeoutMs ?? 30_000;
    this.#breaker = new StartupBreaker({ limit: 5, cooldownMs: options.startupCooldownMs ?? 10_000 });
    const limit = openFileLimit();
    const wanted = Math.max(1, Math.min(options.size, options.launchers ?? os.availableParallelism()));
    const { size, perLauncher } = fitToOpenFiles(options.size, wanted, limit);
    if (size < options.size) warnNarrowed(options.size, size, limit);
    this.size = size;
    this.#launchers = new LauncherSet({ perLauncher, maxIdle: Math.ceil(size / perLauncher) });
    this.#queue = new SlotQueue(this.size);
    this.#freeSlots = Array.from({ length: this.size }, (_, i) => i);
  }

  /** pids of the live launcher processes (diagnostics and tests) */
  get launcherPids(): number[] {
    return this.#launchers.pids;
  }

  async run(spec: ScriptSpec, options: SupervisorRunOptions = {}): Promise<ScriptResult> {
    const logger = options.logger ?? defaultLogger;
    const startedAt = Date.now();
    // The result's slot is the one that ran it (null until one is taken, or for a lone call).
    const addsWith = (slot: number | null) => (): ResultAdds => ({
      ...options.adds?.(startedAt),
      slot: options.lone ? null : slot,
    });
    if (this.#closing)
      return errorResult(
        spec.script,
        'cancelled: the runner was closed before the script started',
        'cancelled',
        startedAt,
        addsWith(null)(),
      );
    if (options.signal?.aborted)
      return errorResult(spec.script, abortMessage(options.signal), 'cancelled', startedAt, addsWith(null)());
    logStart(logger, spec.script);
    const gaveUp = await this.#queue.acquire(options.signal);
    let result: ScriptResult;
    if (gaveUp !== null) {
      result = errorResult(spec.script, gaveUp, 'cancelled', startedAt, addsWith(null)());
    } else {
      // The queue admits at most `size` runs, so a number is always free here.
      const slot = this.#takeSlot();
      try {
        result = await this.#runOnLauncher(spec, options, startedAt, addsWith(slot));
      } finally {
        this.#freeSlots.push(slot);
        this.#queue.release();
      }
    }
    logEnd(logger, result);
    return result;
  }

  #takeSlot(): number {
    let at = 0;
    for (let i = 1; i < this.#freeSlots.length; i++) if (this.#freeSlots[i] < this.#freeSlots[at]) at = i;
    return this.#freeSlots.splice(at, 1)[0];
  }

  async #runOnLauncher(
    spec: ScriptSpec,
    options: SupervisorRunOptions,
    startedAt: number,
    adds: () => ResultAdds,
  ): Promise<ScriptResult> {
    if (this.#breaker.isOpen)
      return errorResult(spec.script, this.#breaker.describe('script launchers'), 'error', startedAt, adds());
    let launcher;
    try {
      launcher = await this.#launchers.acquire(spec);
      this.#breaker.recordStarted();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#breaker.recordStartupFailure(reason);
      return errorResult(spec.script, reason, 'error', startedAt, adds());
    }
    try {
      return await this.#superviseOn(launcher, spec, options, startedAt, adds);
    } finally {
      this.#launchers.release(launcher, this.#idleMs);
    }
  }

  async #superviseOn(
    launcher: Launcher,
    spec: ScriptSpec,
    options: SupervisorRunOptions,
    startedAt: number,
    adds: () => ResultAdds,
  ): Promise<ScriptResult> {
    const { signal } = options;
    if (signal?.aborted) return errorResult(spec.script, abortMessage(signal), 'cancelled', startedAt, adds());
    if (this.#closing)
      return errorResult(
        spec.script,
        'cancelled: the runner was closed before the script started',
        'cancelled',
        startedAt,
        adds(),
      );
    const listener = options.onOutput;
    const onOutput =
      spec.liveOutput && listener ? guardOutputListener(listener, options.logger, spec.script) : undefined;
    const run = superviseRun(launcher, spec, { onOutput, onStart: options.onStart, adds }, startedAt);
    const onAbort = () => run.stop({ kind: 'cancelled', message: abortMessage(signal!) });
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#active.add(run);
    try {
      return await run.result;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#active.delete(run);
    }
  }

  /** Stops every running child (SIGTERM, SIGKILL after its grace, setsid sweep), then the launchers. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#queue.close();
      const reason: StopReason = { kind: 'cancelled', message: 'cancelled: the runner was closed' };
      for (const run of this.#active) run.stop(reason);
      await Promise.allSettled([...this.#active].map((run) => run.result));
      await this.#launchers.close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
