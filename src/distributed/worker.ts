// ErgateWorker: one machine's share of a distributed run. Pulls script jobs from a BullMQ
// queue, runs each through a local SupervisorPool (every runScript limit applies) and
// returns the ScriptResult as the job's return value. Cancellation arrives out of band as
// a QueueEvents custom event and becomes BullMQ's own processor abort signal. Invariant:
// close() resolves only after every job it took has finished or been handed back to the
// queue and every child has been reaped.
import os from 'node:os';
import path from 'node:path';
import { QueueEvents, WaitingError, Worker, type Job } from 'bullmq';
import * as v from 'valibot';
import { errorResult } from '../script/error-result.ts';
import { resolvePython } from '../script/python.ts';
import { SupervisorPool } from '../script/supervisor-pool.ts';
import type { ScriptResult } from '../script/types.ts';
import { closeConnection, waitUntilConnected } from './close-connection.ts';
import { toScriptSpec, type ScriptJobData } from './job-payload.ts';
import { CANCEL_EVENT, DEFAULT_QUEUE } from './queue-names.ts';
import { redact, resolveRedisTarget, type RedisTarget } from './redis-target.ts';
import { parseOrThrow, workerOptionsSchema } from './validate-options.ts';

export interface ErgateWorkerOptions {
  /** redis:// URL. @default $ERGATE_REDIS_URL */
  redis?: string;
  /** @default 'ergate' */
  queue?: string;
  /** Scripts run at once on this machine. @default os.availableParallelism() */
  concurrency?: number;
  /** This machine's checkout: job paths are resolved against it. @default process.cwd() */
  root?: string;
  /** @default $ERGATE_PYTHON, else python3 from PATH */
  python?: string;
  /** How long a job's lock lives without renewal; a dead worker's jobs are recovered after it. @default 30_000 */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (of dead workers). @default 30_000 */
  stalledIntervalMs?: number;
  /** Times a job may be recovered from dead workers before it is failed. @default 3 */
  maxStalledCount?: number;
  /** One line per event; never receives the Redis password. @default nothing */
  log?: (line: string) => void;
}

/** A worker's result also says which worker ran it. */
export type RemoteScriptResult = ScriptResult & { worker?: string };

/** The abort reason that hands a running job back to the queue instead of finishing it. */
const HANDBACK = 'ergate: handed back by a stopping worker';

export class ErgateWorker implements AsyncDisposable {
  /** hostname:pid, recorded on every result this worker returns */
  readonly id = `${os.hostname()}:${process.pid}`;
  readonly target: RedisTarget;
  readonly #bull: Worker<ScriptJobData, ScriptResult>;
  readonly #cancels: QueueEvents;
  readonly #pool: SupervisorPool;
  readonly #root: string;
  readonly #python: string;
  readonly #log: (line: string) => void;
  #closing: Promise<void> | null = null;
  #started = false;

  private constructor(options: Required<Pick<ErgateWorkerOptions, 'queue' | 'concurrency' | 'root'>> & ErgateWorkerOptions, python: string) {
    this.target = resolveRedisTarget(options.redis);
    this.#root = options.root;
    this.#python = python;
    this.#log = options.log ?? (() => {});
    this.#pool = new SupervisorPool({ size: options.concurrency });
    this.#bull = new Worker<ScriptJobData, ScriptResult>(options.queue, (job, token, signal) => this.#process(job, token, signal), {
      connection: this.target.connection,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 3,
      autorun: false,
    });
    this.#bull.on('error', (error) => this.#log(`redis error: ${redact(error.message, this.target)}`));
    this.#cancels = new QueueEvents(options.queue, { connection: this.target.connection });
    this.#cancels.on('error', (error) => this.#log(`redis error: ${redact(error.message, this.target)}`));
    (this.#cancels as unknown as NodeJS.EventEmitter).on(CANCEL_EVENT, (event: { jobId?: string; reason?: string }) => {
      if (typeof event?.jobId === 'string') this.#bull.cancelJob(event.jobId, event.reason || 'cancelled by the coordinator');
    });
  }

  /** Validates options, resolves the interpreter, connects, and starts taking jobs. */
  static async start(options: ErgateWorkerOptions = {}): Promise<ErgateWorker> {
    const opts = parseOrThrow(workerOptionsSchema, options, 'ErgateWorker options');
    const python = await resolvePython(opts.python);
    const worker = new ErgateWorker({
      ...(opts as ErgateWorkerOptions),
      queue: opts.queue ?? DEFAULT_QUEUE,
      concurrency: opts.concurrency ?? os.availableParallelism(),
      root: path.resolve(opts.root ?? process.cwd()),
    }, python);
    try {
      // Listen for cancellations before taking the first job, so none is missed.
      await waitUntilConnected([worker.#cancels, worker.#bull as unknown as QueueEvents]);
    } catch (error) {
      await worker.close();
      throw new Error(`cannot reach redis at ${worker.target.display}: ${redact((error as Error).message, worker.target)}`);
    }
    worker.#started = true;
    void worker.#bull.run().catch((error: Error) => worker.#log(`worker stopped: ${redact(error.message, worker.target)}`));
    worker.#log(`worker ${worker.id} taking jobs from ${worker.target.display} queue ${worker.#bull.name} (-j ${worker.#bull.concurrency}, root ${worker.#root})`);
    return worker;
  }

  async #process(job: Job<ScriptJobData, ScriptResult>, token: string | undefined, signal: AbortSignal | undefined): Promise<RemoteScriptResult> {
    const data = job.data;
    let result: RemoteScriptResult;
    try {
      const spec = toScriptSpec(data, this.#root, this.#python);
      this.#log(`start ${job.id} ${data.script} (attempt ${job.attemptsStarted})`);
      result = await this.#pool.run(spec, { signal });
    } catch (error) {
      // Bad job data (a path outside the root, a malformed option) is the job's failure.
      result = errorResult(path.resolve(this.#root, String(data?.script ?? '')), (error as Error).message, 'error');
    }
    result.worker = this.id;
    if (signal?.aborted && signal.reason === HANDBACK && token) {
      // Not a result: another worker runs it again. Attempt counting stays BullMQ's.
      await job.moveToWait(token);
      this.#log(`handed back ${job.id}`);
      throw new WaitingError();
    }
    const attempts = job.opts.attempts ?? 1;
    if ((result.status === 'failed' || result.status === 'timeout') && job.attemptsMade + 1 < attempts) {
      // BullMQ's retry (attempts + backoff) takes it from here.
      throw new Error(`attempt ${job.attemptsMade + 1} of ${attempts} ${result.status}: ${result.error ?? ''}`);
    }
    result.attempts = Math.max(1, job.attemptsStarted);
    this.#log(`done ${job.id} ${data.script} ${result.status}`);
    return result;
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
        // Not bounded: it waits for running jobs (finished, or handed back after graceMs).
        await (this.#started ? this.#bull.close() : closeConnection(this.#bull));
      } finally {
        clearTimeout(timer);
        await this.#pool.close();
        await closeConnection(this.#cancels);
      }
    })();
    return this.#closing;
  }

  /** Hands every running job back at once (a second SIGTERM). */
  handBack(): void {
    this.#bull.cancelAllJobs(HANDBACK);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close({ graceMs: 0 });
  }
}
