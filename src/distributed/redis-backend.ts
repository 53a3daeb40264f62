// RedisBackend: the coordinator's side of a distributed run, behind a runner's `backend`
// option. Owns the BullMQ connections (script queue, its events, the cancel-event producer,
// the runs queue of manifests), created on first use. Invariant: every job it submits is
// awaited to a final state or cancelled (removed when waiting, killed through the cancel
// event when running), so a run settles only when each of its scripts has settled.
import { randomUUID } from 'node:crypto';
import type { JobsOptions, Queue, QueueEvents, QueueEventsProducer } from 'bullmq';
import type { FunctionJobData } from '../seam/function-job-data.ts';
import type { ScriptJobData } from './job-payload.ts';
import { closeConnection, waitUntilConnected } from './close-connection.ts';
import { ConnectionWatch } from './connection-watch.ts';
import type { FinishedJob } from './finished-job.ts';
import { GONE_FROM_REDIS } from './job-result.ts';
import { JobWaiter } from './job-waiter.ts';
import { CANCEL_EVENT, cancelQueueName, DEFAULT_QUEUE, EVENT_STREAM_LENGTH, runsQueueName } from './queue-names.ts';
import { createBatchedEvents } from './batched-events.ts';
import { partOptions } from './bull-connection.ts';
import { resolveTarget, unreachable, type RedisTarget } from '../seam/redis-target.ts';
import type { RunSource } from '../seam/backend-seam.ts';
import type { ManifestBuilder, ManifestEntry, ManifestJob, RunManifest, RunProgress } from './run-manifest.ts';
import { readManifest, writeManifest } from './manifest-store.ts';
import { JobAdder } from './job-adder.ts';
import { parseOrThrow } from '../internal/option-schemas.ts';
import { backendRoot, backendSchema, type BackendOptions } from '../seam/backend-options.ts';
import { readWorkerRules, WORKER_RULES_KEY } from './worker-rules.ts';
import { importBullmq } from '../internal/optional-peer.ts';

/** BullMQ options of one job, overriding the backend's run-wide ones. */
export interface PerJobOptions {
  /** BullMQ job name: 'script' (default) or 'function' */
  name?: string;
  /** BullMQ priority: 1 is the highest */
  priority?: number;
  /** exponential backoff base delay between attempts */
  backoffMs?: number;
  delayMs?: number;
}

/** How long a coordinator waits for Redis (at the start, or after losing it) before the run ends with an error. */
export const DEFAULT_REDIS_TIMEOUT_MS = 60_000;
/** How often a cancel event is repeated until the running job has settled. */
const CANCEL_REPEAT_MS = 1_000;
const REMOVABLE = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);
export class RedisBackend {
  readonly target: RedisTarget;
  readonly queueName: string;
  readonly root: string;
  readonly options: BackendOptions;
  #parts: {
    queue: Queue;
    runs: Queue;
    events: QueueEvents;
    producer: QueueEventsProducer;
    waiter: JobWaiter;
    watch: ConnectionWatch | null;
  } | null = null;
  readonly #adder = new JobAdder(() => this.#parts?.queue ?? null);
  #lostError: Error | null = null;
  #ready: Promise<void> | null = null;

  constructor(options: unknown, optionName = 'backend') {
    this.options = parseOrThrow(backendSchema, options, optionName);
    this.target = resolveTarget(this.options, optionName);
    this.queueName = this.options.queue ?? DEFAULT_QUEUE;
    this.root = backendRoot(this.options);
  }

  /** Connects on first use; rejects with a plain-language Error (no password) if Redis is unreachable. */
  connect(): Promise<void> {
    this.#ready ??= (async () => {
      // Loaded on first use: an in-process run (and the CLI's start) never pays for bullmq.
      const bullmq = await importBullmq('the Redis backend');
      const { Queue, QueueEventsProducer } = bullmq;
      // One client per part (a cluster client is never shared); the runs queue shares the hash tag.
      const part = () => partOptions(this.target, this.queueName);
      const queue = new Queue(this.queueName, { ...part(), streams: { events: { maxLen: EVENT_STREAM_LENGTH } } });
      const runs = new Queue(runsQueueName(this.queueName), part());
      const events = createBatchedEvents(bullmq, this.queueName, part());
      const producer = new QueueEventsProducer(cancelQueueName(this.queueName), part());
      // Each reconnects on its own; a lasting outage shows up as a connect or add failure.
      queue.on('error', () => {});
      runs.on('error', () => {});
      events.on('error', () => {});
      (producer as unknown as NodeJS.EventEmitter).on('error', () => {});
      const parts = {
        queue,
        runs,
        events,
        producer,
        waiter: new JobWaiter(queue, events, {
          key: queue.toKey(`ergate-coordinator-${randomUUID()}`),
          onGone: () => {
            this.#log(
              `redis at ${this.target.display} lost this run's jobs (flushed, or restarted without persistence): ending the run, unfinished scripts are reported as errors`,
            );
            this.#giveUp(GONE_FROM_REDIS);
          },
        }),
        watch: null as ConnectionWatch | null,
      };
      this.#parts = parts;
      try {
        // At the start as later: the run waits for Redis as long as --redis-timeout says.
        await waitUntilConnected(
          [queue, runs, events, producer],
          this.options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS,
        );
      } catch (error) {
        throw unreachable(this.target, error);
      }
      parts.watch = new ConnectionWatch(
        await queue.client,
        this.target,
        this.options.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS,
        this.#log,
        (lost) => this.#giveUp(lost),
      );
    })();
    return this.#ready;
  }

  readonly #log: (line: string) => void = (line) =>
    (this.options.log as ((line: string) => void) | undefined)?.(line) ??
    void process.stderr.write(`ergate: ${line}\n`);

  /** The run cannot go on (Redis gone too long, or its data lost): every wait and add fails with `lost`. */
  #giveUp(lost: string): void {
    if (this.#lostError) return;
    this.#lostError = new Error(lost);
    this.#parts?.waiter.failAll(lost);
    this.#adder.giveUp(this.#lostError);
  }

  #connected() {
    if (!this.#parts) throw new Error('RedisBackend used before connect()');
    return this.#parts;
  }

  #runs = 0;

  /** A fresh run id; the given one for the first run, then "<id>-2", "<id>-3" (BatchRunner's batches). */
  newRunId(): string {
    this.#runs += 1;
    if (this.options.runId) return this.#runs === 1 ? this.options.runId : `${this.options.runId}-${this.#runs}`;
    return `run-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  }

  /** Writes a run's manifest (see manifest-store.ts). */
  writeManifest(manifest: ManifestBuilder, source: RunSource): Promise<ManifestJob> {
    return writeManifest(this.#connected().runs, manifest, source, (this.options.keepResultsS ?? 86_400) * 1000);
  }

  /** The live workers' env rules as a check of a job's env (null: none known); see worker-rules.ts. */
  async workerEnvCheck(): Promise<((env: Record<string, string>) => string | null) | null> {
    const { queue } = this.#connected();
    return readWorkerRules(await queue.client, queue.toKey(WORKER_RULES_KEY), this.queueName).catch(() => null);
  }

  /** @throws Error when the run's coordinator stopped before its manifest was complete */
  readManifest(
    runId: string,
  ): Promise<{ manifest: RunManifest; entries: ManifestEntry[]; progress: RunProgress | null } | null> {
    return readManifest(this.#connected().runs, runId);
  }

  /**
   * Registers the wait before adding, so a fast job's completion is never missed. `perJob`
   * (a scheduler's job) overrides the backend's run-wide priority, backoff and delay.
   */
  submit(
    jobId: string,
    data: ScriptJobData | FunctionJobData,
    retries: number,
    perJob: PerJobOptions = {},
  ): { added: Promise<unknown>; finished: Promise<FinishedJob> } {
    const { waiter } = this.#connected();
    const lost = this.#lostError;
    if (lost) return { added: Promise.reject(lost), finished: Promise.resolve({ lost: lost.message }) };
    const keep = { age: this.options.keepResultsS ?? 86_400 };
    const backoffMs = perJob.backoffMs ?? this.options.backoffMs;
    const priority = perJob.priority ?? this.options.priority;
    const delayMs = perJob.delayMs ?? this.options.delayMs;
    const opts: JobsOptions = {
      jobId,
      attempts: retries + 1,
      removeOnComplete: keep,
      removeOnFail: keep,
      ...(backoffMs && { backoff: { type: 'exponential', delay: backoffMs } }),
      ...(priority !== undefined && { priority }),
      ...(delayMs && { delay: delayMs }),
    };
    const finished = waiter.wait(jobId);
    const added = new Promise<void>((resolve, reject) =>
      this.#adder.add({ name: perJob.name ?? 'script', data, opts, resolve, reject }),
    );
    return { added, finished };
  }

  wait(jobId: string): Promise<FinishedJob> {
    return this.#connected().waiter.wait(jobId);
  }

  /** Looks an awaited job up now (one whose final event may have gone unheard). */
  check(jobId: string): void {
    this.#connected().waiter.check(jobId);
  }

  /** Removes a job still waiting; tells the workers to kill it if running, until it settles. */
  async cancelJob(jobId: string, reason: string, finished: Promise<unknown>): Promise<void> {
    let done = false;
    void finished.finally(() => {
      done = true;
    });
    // Repeated until the job settles: it may become active just after an event went out,
    // or go back to waiting (a backoff before its retry, its worker died) after a kill.
    while (!done && this.#parts) {
      const { queue, producer, waiter } = this.#parts;
      try {
        const job = await queue.getJob(jobId);
        if (job && REMOVABLE.has(await job.getState()) && (await queue.remove(jobId)) === 1) {
          waiter.check(jobId);
          return;
        }
      } catch {
        // fall through to the cancel event: it is harmless for a job that is not running
      }
      await producer
        .publishEvent({ eventName: CANCEL_EVENT, jobId, reason }, EVENT_STREAM_LENGTH)
        .catch(() => undefined);
      await Promise.race([finished, new Promise((r) => setTimeout(r, CANCEL_REPEAT_MS).unref())]);
    }
  }

  async close(): Promise<void> {
    const parts = this.#parts;
    this.#parts = null;
    this.#ready = null;
    if (!parts) return;
    parts.waiter.close();
    parts.watch?.close();
    await Promise.all([parts.queue, parts.runs, parts.events, parts.producer].map((part) => closeConnection(part)));
  }
}
