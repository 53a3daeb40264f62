// ErgateWorker: one machine's share of a distributed run. Pulls script jobs from a BullMQ
// queue, runs each through a local SupervisorPool (every runScript limit applies) and
// returns the ScriptResult as the job's return value. Cancellation arrives out of band as
// a QueueEvents custom event and becomes BullMQ's own processor abort signal. Invariant:
// close() resolves only after every job it took has finished or been handed back to the
// queue and every child has been reaped.
import os from 'node:os';
import path from 'node:path';
// Types only: bullmq is loaded by start(), so importing ergate never loads it.
import type { Job, QueueEvents, Worker } from 'bullmq';
import { errorResult, type ResultAdds } from '../script/script-result.ts';
import { findPreparer } from '../script/prepare-script.ts';
import { SupervisorPool } from '../script/supervisor-pool.ts';
import { closeFunctionPool } from '../function/run-function.ts';
import type { FunctionResult } from '../function/types.ts';
import type { ScriptResult, StartMethod } from '../script/types.ts';
import { closeConnection, waitUntilConnected } from './close-connection.ts';
import type { FunctionJobData } from '../seam/function-job-data.ts';
import { FUNCTION_JOB, functionError, runFunctionJob } from './function-job.ts';
import { toScriptSpec, type ScriptJobData, type WorkerRuntime } from './job-payload.ts';
import { buildPolicy, jobBaseEnv, type JobPolicy } from './job-policy.ts';
import { UNKNOWN_WORKER } from './finished-job.ts';
import { createTolerantWorker, malformedData } from './malformed-job.ts';
import { CANCEL_EVENT, cancelQueueName, DEFAULT_QUEUE } from './queue-names.ts';
import { partOptions } from './bull-connection.ts';
import { redact, resolveTarget, unreachable, type RedisTarget } from '../seam/redis-target.ts';
import { parseOrThrow } from '../internal/option-schemas.ts';
import { workerOptionsSchema } from './worker-options.ts';
import { PublishedRules, WORKER_RULES_KEY } from './worker-rules.ts';
import { importBullmq } from '../internal/optional-peer.ts';

export interface ErgateWorkerOptions {
  /** redis:// URL. @default $ERGATE_REDIS_URL */
  redis?: string;
  /** A Redis Cluster's nodes, "host:port,host:port" or an array, instead of `redis`. */
  redisCluster?: string | string[];
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
  /** Folders whose modules function jobs may run (realpath inside root). @default none: function jobs are refused */
  functions?: string[];
  /**
   * Env variables a job may set besides the harmless defaults (DEFAULT_ALLOWED_ENV): a NAME,
   * or a PREFIX_* pattern; a job setting any other is refused. @default []
   */
  allowEnv?: string[];
  /**
   * What this worker's discovery selects under root (as `ergate run --pattern`; no hidden
   * folders, virtualenvs, site-packages, node_modules or __pycache__): a job's script must be
   * such a regular file. @default every .py file (`**\/*.py`)
   */
  pattern?: string;
  /** The longest timeout a job may ask for; a job asking for more is refused. @default 3_600_000 */
  maxTimeoutMs?: number;
  /** The most output per stream a job may ask for; a job asking for more is refused. @default 10 MiB */
  maxOutputBytes?: number;
  /**
   * How each script starts: a fresh interpreter ('spawn') or a fork of one warm interpreter
   * per slot ('forkserver', Python 3.8+; several times faster for short scripts). @default 'spawn'
   */
  startMethod?: StartMethod;
  /** Modules the fork servers import once before forking (startMethod 'forkserver'). @default [] */
  preload?: string[];
  /** One line per event; never receives the Redis password. @default nothing */
  log?: (line: string) => void;
}

/** A worker's result also says which worker ran it. */
export type RemoteScriptResult = ScriptResult & { worker?: string };
type JobData = ScriptJobData | FunctionJobData;
type JobResult =
  RemoteScriptResult | (FunctionResult<unknown> & { worker?: string; attempts?: number; lostOn?: string[] });
type BullMQ = typeof import('bullmq');

/** The abort reason that hands a running job back to the queue instead of finishing it. */
const HANDBACK = 'ergate: handed back by a stopping worker';
/** How long a stopping worker waits for Redis to take a job's end (or hand-back) before it cuts the connection. */
const HANDBACK_WAIT_MS = 5_000;
/** How long an idle supervisor thread of a worker is kept (below setTimeout's 2^31 ms limit). */
const WARM_THREADS_MS = 24 * 3_600_000;

export class ErgateWorker implements AsyncDisposable {
  /** hostname:pid, recorded on every result this worker returns */
  readonly id = `${os.hostname()}:${process.pid}`;
  readonly target: RedisTarget;
  readonly #bull: Worker<JobData, JobResult>;
  readonly #WaitingError: BullMQ['WaitingError'];
  readonly #cancels: QueueEvents;
  readonly #pool: SupervisorPool;
  readonly #policy: JobPolicy;
  readonly #runtime: WorkerRuntime;
  readonly #log: (line: string) => void;
  #closing: Promise<void> | null = null;
  /** the processors running now: close() waits for these, not for Redis */
  readonly #running = new Set<Promise<JobResult>>();
  #started = false;
  #rules: PublishedRules | null = null;
  #ranFunctions = false;

  private constructor(
    options: Required<Pick<ErgateWorkerOptions, 'queue' | 'concurrency'>> & ErgateWorkerOptions,
    policy: JobPolicy,
    runtime: WorkerRuntime,
    bullmq: BullMQ,
  ) {
    this.#WaitingError = bullmq.WaitingError;
    this.target = resolveTarget(options, 'ErgateWorker options');
    this.#policy = policy;
    this.#runtime = runtime;
    this.#log = options.log ?? (() => {});
    // A worker lives for hours: its supervisor threads stay warm between runs (an idle
    // thread costs a few MiB; a fresh one costs 0.1-2 s of module loading per script slot).
    this.#pool = new SupervisorPool({ size: options.concurrency, idleTimeoutMs: WARM_THREADS_MS });
    this.#bull = createTolerantWorker<JobData, JobResult>(
      bullmq,
      options.queue,
      (job, token, signal) => {
        const running = this.#process(job, token, signal);
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

  async #process(
    job: Job<JobData, JobResult>,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<JobResult> {
    // What this worker adds to the job's result: its id, BullMQ's attempt count, and the runs
    // lost with a dead worker (attempts, not failures; the coordinator names the workers).
    const adds = {
      worker: this.id,
      attempts: Math.max(1, job.attemptsStarted),
      ...(job.stalledCounter > 0 && { lostOn: Array<string>(job.stalledCounter).fill(UNKNOWN_WORKER) }),
    };
    const malformed = malformedData(job);
    if (malformed !== null) {
      // Never retried: the same bytes would be refused again.
      this.#log(`refused ${job.id}: ${malformed}`);
      return job.name === FUNCTION_JOB
        ? Object.assign(functionError('anonymous', malformed, 'error'), {
            worker: adds.worker,
            attempts: adds.attempts,
          })
        : errorResult(this.#policy.root, malformed, 'error', Date.now(), {
            worker: adds.worker,
            attempts: adds.attempts,
          });
    }
    const result: JobResult =
      job.name === FUNCTION_JOB
        ? await this.#runFunction(job as Job<FunctionJobData, JobResult>, signal, adds)
        : await this.#runScript(job as Job<ScriptJobData, JobResult>, signal, adds);
    const what = job.name === FUNCTION_JOB ? (job.data as FunctionJobData).module : (job.data as ScriptJobData).script;
    if (signal?.aborted && signal.reason === HANDBACK && token) {
      // Not a result: another worker runs it again. Attempt counting stays BullMQ's.
      await job.moveToWait(token);
      this.#log(`handed back ${job.id}`);
      throw new this.#WaitingError();
    }
    const attempts = job.opts.attempts ?? 1;
    if ((result.status === 'failed' || result.status === 'timeout') && job.attemptsMade + 1 < attempts) {
      // BullMQ's retry (attempts + backoff) takes it from here.
      throw new Error(`attempt ${job.attemptsMade + 1} of ${attempts} ${result.status}: ${result.error ?? ''}`);
    }
    this.#log(`done ${job.id} ${what} ${result.status}`);
    return result;
  }

  async #runScript(
    job: Job<ScriptJobData, JobResult>,
    signal: AbortSignal | undefined,
    adds: ResultAdds,
  ): Promise<RemoteScriptResult> {
    const data = job.data;
    try {
      const spec = toScriptSpec(data, this.#policy, this.#runtime);
      this.#log(`start ${job.id} ${data.script} (attempt ${job.attemptsStarted})`);
      return await this.#pool.run(spec, { signal, adds: () => adds });
    } catch (error) {
      // Bad or refused job data (a path outside the root, a denied variable) is the job's failure.
      return errorResult(
        path.resolve(this.#policy.root, String(data?.script ?? '')),
        (error as Error).message,
        'error',
        Date.now(),
        adds,
      );
    }
  }

  async #runFunction(
    job: Job<FunctionJobData, JobResult>,
    signal: AbortSignal | undefined,
    adds: ResultAdds,
  ): Promise<JobResult> {
    this.#ranFunctions = true;
    this.#log(`start ${job.id} ${job.data?.module}#${job.data?.export} (attempt ${job.attemptsStarted})`);
    // A FunctionResult (runFunction's own builder) carries the worker's additions the same way.
    return Object.assign(await runFunctionJob(job.data, this.#policy, signal), adds);
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
