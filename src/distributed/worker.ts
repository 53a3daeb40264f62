// ErgateWorker: one machine's share of a distributed run: its connections, its local
// SupervisorPool and its life (start, hand back, close); each job it pulls is run by
// worker-job.ts. Cancellation arrives out of band as a QueueEvents custom event and becomes
// BullMQ's own processor abort signal. Invariant: close() resolves only after every job it
// took has finished or been handed back to the queue and every child has been reaped.
import os from 'node:os';
// Types only: bullmq is loaded by start(), so importing ergate never loads it.
import type { QueueEvents, Worker } from 'bullmq';
import { findPreparer } from '../script/prepare-script.ts';
import { SupervisorPool } from '../script/supervisor-pool.ts';
import { closeFunctionPool } from '../function/run-function.ts';
import { closeConnection, waitUntilConnected } from './close-connection.ts';
import type { WorkerRuntime } from './job-payload.ts';
import { buildPolicy, jobBaseEnv, type JobPolicy } from './job-policy.ts';
import { createTolerantWorker } from './malformed-job.ts';
import { CANCEL_EVENT, cancelQueueName, DEFAULT_QUEUE } from './queue-names.ts';
import { partOptions } from './bull-connection.ts';
import { redact, resolveTarget, unreachable, type RedisTarget } from '../seam/redis-target.ts';
import { parseOrThrow } from '../internal/option-schemas.ts';
import { workerOptionsSchema, type ErgateWorkerOptions } from './worker-options.ts';
import { HANDBACK, processJob, type WorkerJobContext } from './worker-job.ts';
import type { JobData, JobResult } from './worker-result.ts';
import { PublishedRules, WORKER_RULES_KEY } from './worker-rules.ts';
import { importBullmq } from '../internal/optional-peer.ts';

export type { ErgateWorkerOptions } from './worker-options.ts';
export type { RemoteScriptResult } from './worker-result.ts';

type BullMQ = typeof import('bullmq');

/** How long a stopping worker waits for Redis to take a job's end (or hand-back) before it cuts the connection. */
const HANDBACK_WAIT_MS = 5_000;
/** How long an idle supervisor thread of a worker is kept (below setTimeout's 2^31 ms limit). */
const WARM_THREADS_MS = 24 * 3_600_000;

export class ErgateWorker implements AsyncDisposable {
  /** hostname:pid, recorded on every result this worker returns */
  readonly id = `${os.hostname()}:${process.pid}`;
  readonly target: RedisTarget;
  readonly #bull: Worker<JobData, JobResult>;
  readonly #cancels: QueueEvents;
  readonly #pool: SupervisorPool;
  readonly #runtime: WorkerRuntime;
  readonly #log: (line: string) => void;
  #closing: Promise<void> | null = null;
  /** the processors running now: close() waits for these, not for Redis */
  readonly #running = new Set<Promise<JobResult>>();
  #started = false;
  #rules: PublishedRules | null = null;
  #ranFunctions = false;
  readonly #jobContext: WorkerJobContext;

  private constructor(
    options: Required<Pick<ErgateWorkerOptions, 'queue' | 'concurrency'>> & ErgateWorkerOptions,
    policy: JobPolicy,
    runtime: WorkerRuntime,
    bullmq: BullMQ,
  ) {
    this.target = resolveTarget(options, 'ErgateWorker options');
    this.#runtime = runtime;
    this.#log = options.log ?? (() => {});
    // A worker lives for hours: its supervisor threads stay warm between runs (an idle
    // thread costs a few MiB; a fresh one costs 0.1-2 s of module loading per script slot).
    this.#pool = new SupervisorPool({ size: options.concurrency, idleTimeoutMs: WARM_THREADS_MS });
    this.#jobContext = {
      id: this.id,
      policy,
      runtime,
      pool: this.#pool,
      log: this.#log,
      WaitingError: bullmq.WaitingError,
      onFunction: () => {
        this.#ranFunctions = true;
      },
    };
    this.#bull = createTolerantWorker<JobData, JobResult>(
      bullmq,
      options.queue,
      (job, token, signal) => {
        const running = processJob(job, token, signal, this.#jobContext);
        this.#running.add(running);
        const done = (): void => void this.#running.delete(running);
        running.then(done, done);
        return running;
      },
      {
        ...partOptions(this.target, options.queue),
        concurrency: options.concurrency,
        // BullMQ's processedBy: a coordinator reads it to say which worker a lost job died with.
        name: this.id,
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: options.maxStalledCount ?? 3,
        autorun: false,
      },
    );
    this.#bull.on('error', (error) => this.#log(`redis error: ${redact(error.message, this.target)}`));
    this.#cancels = new bullmq.QueueEvents(cancelQueueName(options.queue), partOptions(this.target, options.queue));
    this.#cancels.on('error', (error) => this.#log(`redis error: ${redact(error.message, this.target)}`));
    (this.#cancels as unknown as NodeJS.EventEmitter).on(CANCEL_EVENT, (event: { jobId?: string; reason?: string }) => {
      if (typeof event?.jobId === 'string')
        this.#bull.cancelJob(event.jobId, event.reason || 'cancelled by the coordinator');
    });
  }

  /** Validates options, resolves the interpreter, connects, and starts taking jobs. */
  static async start(options: ErgateWorkerOptions = {}): Promise<ErgateWorker> {
    const opts = parseOrThrow(workerOptionsSchema, options, 'ErgateWorker options');
    const policy = buildPolicy({ ...opts, root: opts.root ?? process.cwd() }, 'ErgateWorker options');
    const startMethod = opts.startMethod ?? 'spawn';
    // An interpreter the start method cannot serve is refused before connecting.
    const preparer = await findPreparer(opts.python, startMethod, { base: jobBaseEnv() });
    const runtime: WorkerRuntime = { preparer, startMethod, preload: opts.preload ?? [] };
    const bullmq = await importBullmq('ErgateWorker');
    const worker = new ErgateWorker(
      {
        ...(opts as ErgateWorkerOptions),
        queue: opts.queue ?? DEFAULT_QUEUE,
        concurrency: opts.concurrency ?? os.availableParallelism(),
      },
      policy,
      runtime,
      bullmq,
    );
    try {
      // Listen for cancellations before taking the first job, so none is missed.
      await waitUntilConnected([worker.#cancels, worker.#bull]);
    } catch (error) {
      await worker.close();
      throw unreachable(worker.target, error);
    }
    await worker.#primePool();
    // Coordinators read these to refuse, before queueing, what no worker would run.
    worker.#rules = await PublishedRules.publish(
      await worker.#bull.client,
      worker.#bull.toKey(WORKER_RULES_KEY),
      worker.id,
      policy.allowEnv.patterns,
    );
    worker.#started = true;
    void worker.#bull
      .run()
      .catch((error: Error) => worker.#log(`worker stopped: ${redact(error.message, worker.target)}`));
    worker.#log(
      `worker ${worker.id} taking jobs from ${worker.target.display} queue ${worker.#bull.name} (-j ${worker.#bull.concurrency}, ${startMethod}, root ${policy.root}${policy.functions.length > 0 ? `, functions ${policy.functions.join(', ')}` : ''})`,
    );
    return worker;
  }

  /**
   * Starts every supervisor thread before the first job: otherwise the first jobs on each
   * slot pay the thread's start (module loading) and a run's scripts finish up to seconds
   * apart depending on which worker, and which slot, took them. `python /dev/null` is a
   * no-op script that also warms the interpreter's files in the page cache.
   */
  async #primePool(): Promise<void> {
    const { preparer, startMethod, preload } = this.#runtime;
    const { spec } = preparer.prepare(
      '/dev/null',
      { cwd: os.tmpdir(), timeoutMs: 30_000, startMethod, preload },
      'prime',
    );
    await Promise.all(Array.from({ length: this.#pool.size }, () => this.#pool.run(spec)));
  }

  /**
   * Stops taking jobs; running ones may finish for `graceMs`, then their children are
   * killed and the jobs handed back to the queue for another worker.
   */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing ??= (async () => {
      const graceMs = options.graceMs ?? 30_000;
      const timer = setTimeout(() => this.#bull.cancelAllJobs(HANDBACK), graceMs);
      try {
        if (this.#started) {
          // BullMQ's close stops taking jobs, waits for running ones, then for Redis to take
          // its last writes: each wait bounded, so a worker whose Redis is gone still exits.
          void this.#rules?.stop();
          void this.#bull.close().catch(() => undefined);
          await settleWithin([...this.#running], graceMs + HANDBACK_WAIT_MS);
          await closeConnection(this.#bull, HANDBACK_WAIT_MS);
        } else {
          // Never started (Redis refused it): no job ran, both connections go at once.
          await Promise.all([closeConnection(this.#bull), this.#closeCancels()]);
        }
      } finally {
        clearTimeout(timer);
        await this.#pool.close();
        if (this.#ranFunctions) await closeFunctionPool();
        await this.#closeCancels();
      }
    })();
    return this.#closing;
  }

  #cancelsClosed: Promise<void> | null = null;
  /** Once: a second close() of a connection that never got ready would wait out its timeout again. */
  #closeCancels(): Promise<void> {
    this.#cancelsClosed ??= closeConnection(this.#cancels);
    return this.#cancelsClosed;
  }

  /** pids of the live script launchers (all started before the first job: see #primePool). */
  get launcherPids(): number[] {
    return this.#pool.launcherPids;
  }

  /** Hands every running job back at once (a second SIGTERM). */
  handBack(): void {
    this.#bull.cancelAllJobs(HANDBACK);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close({ graceMs: 0 });
  }
}

/** Resolves when every promise has settled, or after `ms`, whichever comes first. */
async function settleWithin(promises: Array<Promise<unknown>>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
