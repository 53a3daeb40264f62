// A piscina pool of supervisor threads (workers/supervisor.ts) for startMethod 'spawn', and a
// main-thread ForkServerPool for 'forkserver' (a fork server is a process of its own: no
// thread hop needed); the one code path that starts and kills every Python child, for
// runScript and the parallel runner alike. Both modes share `size` slots (FIFO waiters).
// Each script gets its own supervisor (one piscina task); a thread hosts several of them,
// at most one thread per core: every event loop that owns a child wakes on every SIGCHLD,
// so a thread per child made stopping 50 children O(50^2) wakeups (~100 ms on 2 cores,
// against ~20 ms with 2 threads; bench fail-fast, README "Supervisor threads").
// Invariants: run() never rejects for a script's failure; close() resolves only after every
// child it started has been killed and its supervisor has reported; idle threads are
// unref'd, so the pool never keeps the process alive.
import { availableParallelism } from 'node:os';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { Piscina, queueOptionsSymbol } from 'piscina';
import { workerFile } from '../internal/worker-file.ts';
import { SlotQueue, abortMessage } from './slot-queue.ts';
import { StopSignal, whenStopped } from './stop-signal.ts';
import { WithdrawableQueue } from './withdrawable-queue.ts';
import type { StopReason } from './classify-exit.ts';
import { errorResult } from './error-result.ts';
import { ForkServerPool } from './forkserver/fork-server-pool.ts';
import { killTreeNow, signalTree, snapshotTree } from './kill-tree.ts';
import { defaultLogger, logEnd, logStart } from './logger.ts';
import { checkPaths } from './supervise-script.ts';
import { OUTPUT_ACK_CHARS, type OutputAck, type StopCommand, type SupervisorEvent, type SupervisorTask } from './supervisor-protocol.ts';
import type { ErgateLogger, ScriptResult, ScriptSpec } from './types.ts';

export interface SupervisorRunOptions {
  /** abort => kill the child's group, status 'cancelled' */
  signal?: AbortSignal;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  logger?: ErgateLogger;
  /** Called once the child runs (spawn mode), with a way to stop it for passing a memory cap. */
  onStart?: (child: { pid: number; stopForMemory(limitMb: number, peakMb: number): void }) => void;
}

export interface SupervisorPoolOptions {
  /** number of supervisor threads = children running at once */
  size: number;
  /** idle threads exit after this long. @default 30_000 */
  idleTimeoutMs?: number;
  /** Supervisor threads hosting the `size` supervisors. @default min(size, max(2, cores)) */
  threads?: number;
  /** Tests only: file URL of another thread entry (e.g. one that throws while loading). */
  workerEntryForTests?: string;
}

/** After this many supervisor failures in a row with no child started, stop restarting. */
const CRASH_LOOP_LIMIT = 5;

export class SupervisorPool implements AsyncDisposable {
  readonly size: number;
  /** Most supervisor threads this pool runs (each hosts up to ceil(size / threadCount) supervisors). */
  readonly threadCount: number;
  private readonly piscina: Piscina;
  /** ports of runs in flight, to stop their children on close() */
  private readonly active = new Map<object, { settled: Promise<unknown>; stop: (message: string) => void; abandon?: () => void }>();
  /** startMethod 'forkserver' runs here, on the main thread, not on a supervisor thread */
  private readonly forkServers: ForkServerPool;
  /** piscina's queue of supervisor tasks waiting for a thread */
  private readonly queue = new WithdrawableQueue();
  /** the size slots both start methods share */
  private readonly slots: SlotQueue;
  private closing: Promise<void> | null = null;
  private failuresInARow = 0;
  private brokenReason: string | null = null;

  constructor(options: SupervisorPoolOptions) {
    if (!Number.isInteger(options?.size) || options.size < 1) {
      throw new TypeError(`options.size must be a positive integer (got ${String(options?.size)})`);
    }
    this.size = options.size;
    this.threadCount = Math.min(this.size, options.threads ?? Math.max(2, availableParallelism()));
    this.slots = new SlotQueue(options.size);
    const entry = options.workerEntryForTests ? { filename: options.workerEntryForTests, workerData: {} } : workerFile('supervisor');
    const idleTimeout = options.idleTimeoutMs ?? 30_000;
    this.forkServers = new ForkServerPool(options.size, idleTimeout);
    this.piscina = new Piscina({
      filename: entry.filename,
      workerData: entry.workerData,
      minThreads: 0,
      maxThreads: this.threadCount,
      idleTimeout,
      // No task is given piscina's `signal`: piscina runs an abortable task alone on its
      // thread (aborting one terminates the thread), which would undo the sharing.
      concurrentTasksPerWorker: Math.ceil(this.size / this.threadCount),
      taskQueue: this.queue,
      atomics: 'async',
      maxQueue: Infinity,
    });
    // A thread error is reported through the task's rejection; never crash the process.
    // An 'error' with no task is a thread that failed while starting: piscina then leaves
    // the waiting tasks queued and starts no replacement, so the pool must act on it.
    this.piscina.on('error', (error: unknown) => this.onThreadStartFailed(error));
  }

  /** The live supervisor threads (diagnostics and tests). */
  get threads(): readonly Worker[] {
    return this.piscina.threads;
  }

  /** pids of the live warm fork servers (diagnostics and tests) */
  get forkServerPids(): number[] {
    return this.forkServers.serverPids;
  }

  async run(spec: ScriptSpec, options: SupervisorRunOptions = {}): Promise<ScriptResult> {
    const logger = options.logger ?? defaultLogger;
    const startedAt = Date.now();
    if (this.closing) return errorResult(spec.script, 'cancelled: the runner was closed before the script started', 'cancelled', startedAt);
    if (this.brokenReason && spec.startMethod !== 'forkserver') return errorResult(spec.script, this.brokenReason, 'error', startedAt);
    if (options.signal?.aborted) return errorResult(spec.script, abortMessage(options.signal), 'cancelled', startedAt);
    logStart(logger, spec.script);
    const gaveUp = await this.slots.acquire(options.signal);
    if (gaveUp !== null) {
      const result = errorResult(spec.script, gaveUp, 'cancelled', startedAt);
      logEnd(logger, result);
      return result;
    }
    try {
      const result = spec.startMethod === 'forkserver'
        ? await this.runForked(spec, options, startedAt)
        : await this.runOnThread(spec, options, startedAt);
      logEnd(logger, result);
      return result;
    } finally {
      this.slots.release();
    }
  }

  /** startMethod 'forkserver': a warm server of the main-thread ForkServerPool forks the script; no thread hop. */
  private async runForked(spec: ScriptSpec, options: SupervisorRunOptions, startedAt: number): Promise<ScriptResult> {
    const problem = checkPaths(spec);
    if (problem) return errorResult(spec.script, problem, 'error', startedAt);
    const stopped = new StopSignal();
    let stopReason: StopReason | null = null;
    const stop = (message: string) => {
      if (stopReason) return;
      stopReason = { status: 'cancelled', message };
      stopped.stop();
    };
    const unsubscribe = whenStopped(options.signal, () => stop(abortMessage(options.signal!)));
    const listener = options.onOutput;
    const onOutput = spec.liveOutput && listener
      ? (stream: 'stdout' | 'stderr', chunk: string) => {
        try {
          listener(stream, chunk);
        } catch {
          // a throwing listener must not disturb the run
        }
      }
      : undefined;
    const key = {};
    const settled = this.forkServers.run(spec, { signal: stopped, stopReason: () => stopReason, onOutput });
    this.active.set(key, { settled, stop });
    try {
      return await settled;
    } finally {
      unsubscribe();
      this.active.delete(key);
    }
  }

  /** startMethod 'spawn': a supervisor thread spawns and supervises the child. */
  private async runOnThread(spec: ScriptSpec, options: SupervisorRunOptions, startedAt: number): Promise<ScriptResult> {
    // Runs that waited for a slot while the crash-loop breaker tripped.
    if (this.brokenReason) return errorResult(spec.script, this.brokenReason, 'error', startedAt);
    const { port1, port2 } = new MessageChannel();
    let pid: number | null = null;
    let accepted = false;
    let consumed = 0;
    let onDone!: () => void;
    const done = new Promise<void>((resolve) => { onDone = resolve; });
    port1.on('message', (event: SupervisorEvent) => {
      accepted = true;
      if (event.type === 'done') onDone();
      else if (event.type === 'started') {
        pid = event.pid;
        options.onStart?.({
          pid,
          stopForMemory: (limitMb, peakMb) => stop(`memory limit of ${limitMb} MiB exceeded by the process tree (peak ${peakMb} MiB)`, 'failed'),
        });
      }
      else if (event.type === 'output' && options.onOutput) {
        try {
          options.onOutput(event.stream, event.chunk);
        } catch {
          // a throwing listener must not disturb the run
        }
        // Credit back: the supervisor pauses the child's pipes while too much is unacknowledged.
        consumed += event.chunk.length;
        if (consumed >= OUTPUT_ACK_CHARS) {
          port1.postMessage({ type: 'ack', chars: consumed } satisfies OutputAck);
          consumed = 0;
        }
      }
    });
    let stopped = false;
    let ended = false;
    const stop = (message: string, status: StopCommand['status'] = 'cancelled') => {
      if (stopped || ended) return;
      stopped = true;
      if (pid === null || spec.startMethod === 'forkserver') {
        port1.postMessage({ type: 'stop', status, message } satisfies StopCommand);
        return;
      }
      // Fast path (fail-fast, cancel, close stop many children in one burst): signal the
      // child from here, now, instead of waking its supervisor thread to walk /proc first.
      // The snapshot is shared by the burst; the message goes first so the supervisor
      // classifies the exit this SIGTERM causes as 'cancelled' (supervise-script.ts).
      const tree = snapshotTree(pid);
      port1.postMessage({ type: 'stop', status, message, tree } satisfies StopCommand);
      signalTree(pid, tree, 'SIGTERM');
    };
    const onAbort = () => stop(abortMessage(options.signal!));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const tag = {};
    const task: SupervisorTask & { [queueOptionsSymbol]: object } = { spec, port: port2, [queueOptionsSymbol]: tag };
    // Settled early only when the crash-loop breaker trips while the task waits for a thread
    // that will never start: withdrawn from the queue, or, if a thread took it meanwhile,
    // made a no-op by the stop queued on its port.
    let giveUp!: (error: Error) => void;
    const abandoned = new Promise<never>((_, reject) => { giveUp = reject; });
    const abandon = () => {
      if (pid !== null || ended) return;
      if (!this.queue.withdraw(tag)) port1.postMessage({ type: 'stop', status: 'cancelled', message: 'abandoned' } satisfies StopCommand);
      giveUp(new Error(this.brokenReason ?? 'abandoned'));
    };
    const settled = Promise.race([this.piscina.run(task, { transferList: [port2] }), abandoned]).then(
      (result: ScriptResult) => {
        ended = true;
        this.failuresInARow = 0;
        return result;
      },
      (error: unknown) => {
        ended = true;
        return this.onSupervisorLost(spec, error, pid, startedAt);
      },
    );
    this.active.set(port1, { settled, stop, abandon });
    try {
      const result = await settled;
      // Output chunks travel on the run's port, the result on piscina's: wait for the
      // run's 'done' message so no chunk arrives after the result (bounded, in case the
      // supervisor thread died before sending it).
      if (options.onOutput && accepted) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([done, new Promise((r) => { timer = setTimeout(r, 1000); })]);
        clearTimeout(timer);
      }
      return result;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.active.delete(port1);
      port1.close();
    }
  }

  /** The supervisor thread died or could not start: kill what it left, report 'error'. */
  private onSupervisorLost(spec: ScriptSpec, error: unknown, pid: number | null, startedAt: number): ScriptResult {
    const reason = error instanceof Error ? error.message : String(error);
    if (pid !== null) {
      // The thread's own PR_SET_PDEATHSIG and fd-3 EOF already hit the child; make sure of
      // its group and every descendant from here.
      killTreeNow(pid);
      this.failuresInARow = 0;
    } else if (this.closing) {
      return errorResult(spec.script, 'cancelled: the runner was closed before the script started', 'cancelled', startedAt);
    } else if (this.brokenReason) {
      return errorResult(spec.script, this.brokenReason, 'error', startedAt);
    } else if (++this.failuresInARow >= CRASH_LOOP_LIMIT) {
      this.brokenReason = `supervisor threads keep failing to start (${this.failuresInARow} times in a row): ${reason}`;
    }
    const result = errorResult(spec.script, `supervisor thread died: ${reason}`, 'error', startedAt);
    result.pid = pid;
    return result;
  }

  /**
   * A thread failed while starting (piscina's 'error' event: no task to reject). Counts it;
   * under the limit, starts a replacement for the tasks still queued (piscina spawns one
   * when a task is submitted to a non-empty queue: submit a placeholder and withdraw it at
   * once); at the limit, trips the breaker and ends every run whose child never started.
   */
  private onThreadStartFailed(error: unknown): void {
    if (this.closing) return;
    const reason = error instanceof Error ? error.message : String(error);
    if (!this.brokenReason && ++this.failuresInARow >= CRASH_LOOP_LIMIT) {
      this.brokenReason = `supervisor threads keep failing to start (${this.failuresInARow} times in a row): ${reason}`;
    }
    if (this.brokenReason) {
      for (const run of this.active.values()) run.abandon?.();
    } else if (this.piscina.queueSize > 0) {
      const placeholder = new AbortController();
      this.piscina.run(null, { signal: placeholder.signal }).catch(() => {});
      placeholder.abort();
    }
  }

  /** Stops every running child (SIGTERM, SIGKILL after its grace, setsid sweep), then the threads. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.slots.close();
      for (const run of this.active.values()) run.stop('cancelled: the runner was closed');
      await Promise.allSettled([...this.active.values()].map((run) => run.settled));
      await this.forkServers.close();
      await this.piscina.destroy();
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
