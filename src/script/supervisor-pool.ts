// A piscina pool of supervisor threads (workers/supervisor.ts); the one code path that
// spawns and kills every Python child, for runScript and the parallel runner alike.
// Invariants: run() never rejects for a script's failure; close() resolves only after every
// child it started has been killed and its supervisor has reported; idle threads are
// unref'd, so the pool never keeps the process alive.
import { randomUUID } from 'node:crypto';
import { BroadcastChannel, MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { workerFile } from '../internal/worker-file.ts';
import { errorResult } from './error-result.ts';
import { killTreeNow, signalTree, snapshotTree } from './kill-tree.ts';
import { defaultLogger, logEnd, logStart } from './logger.ts';
import type { ThreadHostConfig, ThreadHostMessage } from './forkserver/thread-host.ts';
import { OUTPUT_ACK_CHARS, type OutputAck, type StopCommand, type SupervisorEvent, type SupervisorTask } from './supervisor-protocol.ts';
import type { ErgateLogger, ScriptResult, ScriptSpec } from './types.ts';

export interface SupervisorRunOptions {
  /** abort => kill the child's group, status 'cancelled' */
  signal?: AbortSignal;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  logger?: ErgateLogger;
}

export interface SupervisorPoolOptions {
  /** number of supervisor threads = children running at once */
  size: number;
  /** idle threads exit after this long. @default 30_000 */
  idleTimeoutMs?: number;
  /** Tests only: file URL of another thread entry (e.g. one that throws while loading). */
  workerEntryForTests?: string;
}

/** After this many supervisor failures in a row with no child started, stop restarting. */
const CRASH_LOOP_LIMIT = 5;
/** close() waits at most this long for the threads to reap their fork servers. */
const RELEASE_FORK_SERVERS_MS = 5_000;

function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return `cancelled: ${reason.message}`;
  if (typeof reason === 'string' && reason) return `cancelled: ${reason}`;
  return 'cancelled';
}

export class SupervisorPool implements AsyncDisposable {
  readonly size: number;
  private readonly piscina: Piscina;
  /** ports of runs in flight, to stop their children on close() */
  private readonly active = new Map<MessagePort, { settled: Promise<unknown>; stop: (message: string) => void }>();
  private closing: Promise<void> | null = null;
  private failuresInARow = 0;
  private brokenReason: string | null = null;
  /** where threads are told to close (and reap) their warm fork servers before they end */
  private readonly forkServerChannel = `ergate-fork-servers-${randomUUID()}`;
  private usedForkServer = false;

  constructor(options: SupervisorPoolOptions) {
    if (!Number.isInteger(options?.size) || options.size < 1) {
      throw new TypeError(`options.size must be a positive integer (got ${String(options?.size)})`);
    }
    this.size = options.size;
    const entry = options.workerEntryForTests ? { filename: options.workerEntryForTests, workerData: {} } : workerFile('supervisor');
    const idleTimeout = options.idleTimeoutMs ?? 30_000;
    // A thread's fork server is closed before piscina ends an idle thread (thread-host.ts).
    const hostConfig: ThreadHostConfig = { forkServerIdleMs: Math.floor(idleTimeout * 0.8), forkServerChannel: this.forkServerChannel };
    this.piscina = new Piscina({
      filename: entry.filename,
      workerData: { ...entry.workerData, ...hostConfig },
      minThreads: 0,
      maxThreads: options.size,
      idleTimeout,
      concurrentTasksPerWorker: 1,
      // 'sync' would park an idle thread in Atomics.wait, freezing its event loop: the warm
      // fork server's idle close and the close() broadcast (thread-host.ts) need it running.
      atomics: 'async',
      maxQueue: Infinity,
    });
    // A thread error is reported through the task's rejection; never crash the process.
    this.piscina.on('error', () => {});
  }

  /** The live supervisor threads (diagnostics and tests). */
  get threads(): readonly Worker[] {
    return this.piscina.threads;
  }

  async run(spec: ScriptSpec, options: SupervisorRunOptions = {}): Promise<ScriptResult> {
    const logger = options.logger ?? defaultLogger;
    const startedAt = Date.now();
    if (this.closing) return errorResult(spec.script, 'cancelled: the runner was closed before the script started', 'cancelled', startedAt);
    if (this.brokenReason) return errorResult(spec.script, this.brokenReason, 'error', startedAt);
    if (options.signal?.aborted) return errorResult(spec.script, abortMessage(options.signal), 'cancelled', startedAt);
    logStart(logger, spec.script);
    if (spec.startMethod === 'forkserver') this.usedForkServer = true;

    const { port1, port2 } = new MessageChannel();
    let pid: number | null = null;
    let accepted = false;
    let consumed = 0;
    let onDone!: () => void;
    const done = new Promise<void>((resolve) => { onDone = resolve; });
    port1.on('message', (event: SupervisorEvent) => {
      accepted = true;
      if (event.type === 'done') onDone();
      else if (event.type === 'started') pid = event.pid;
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
    const stop = (message: string) => {
      if (stopped || ended) return;
      stopped = true;
      if (pid === null || spec.startMethod === 'forkserver') {
        port1.postMessage({ type: 'stop', status: 'cancelled', message } satisfies StopCommand);
        return;
      }
      // Fast path (fail-fast, cancel, close stop many children in one burst): signal the
      // child from here, now, instead of waking its supervisor thread to walk /proc first.
      // The snapshot is shared by the burst; the message goes first so the supervisor
      // classifies the exit this SIGTERM causes as 'cancelled' (supervise-script.ts).
      const tree = snapshotTree(pid);
      port1.postMessage({ type: 'stop', status: 'cancelled', message, tree } satisfies StopCommand);
      signalTree(pid, tree, 'SIGTERM');
    };
    const onAbort = () => stop(abortMessage(options.signal!));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const task: SupervisorTask = { spec, port: port2 };
    const settled = this.piscina.run(task, { transferList: [port2] }).then(
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
    this.active.set(port1, { settled, stop });
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
      logEnd(logger, result);
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
    } else if (++this.failuresInARow >= CRASH_LOOP_LIMIT) {
      this.brokenReason = `supervisor threads keep failing to start (${this.failuresInARow} times in a row): ${reason}`;
    }
    const result = errorResult(spec.script, `supervisor thread died: ${reason}`, 'error', startedAt);
    result.pid = pid;
    return result;
  }

  /** Stops every running child (SIGTERM, SIGKILL after its grace, setsid sweep), then the threads. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const run of this.active.values()) run.stop('cancelled: the runner was closed');
      await Promise.allSettled([...this.active.values()].map((run) => run.settled));
      if (this.usedForkServer) await this.releaseForkServers();
      await this.piscina.destroy();
    })();
    return this.closing;
  }

  /**
   * Asks every thread to close its fork server and waits until each has reaped it: a server
   * outliving its thread would stay a zombie (only that thread's event loop can reap it).
   */
  private async releaseForkServers(): Promise<void> {
    const channel = new BroadcastChannel(this.forkServerChannel);
    const released = new Set<number>();
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve) => {
        const check = () => {
          if (this.piscina.threads.every((thread) => released.has(thread.threadId))) resolve();
        };
        channel.onmessage = (event) => {
          const message = (event as { data?: ThreadHostMessage }).data;
          if (message?.type !== 'released') return;
          released.add(message.threadId);
          check();
        };
        // Bounded: a thread still starting has no server, and never answers.
        timer = setTimeout(resolve, RELEASE_FORK_SERVERS_MS);
        channel.postMessage({ type: 'close' } satisfies ThreadHostMessage);
        check();
      });
    } finally {
      clearTimeout(timer);
      channel.close();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
