// RedisBackend: the coordinator's side of a distributed run, behind a runner's `backend`
// option. Owns the BullMQ connections (script queue, its events, the cancel-event producer,
// the runs queue of manifests), created on first use. Invariant: every job it submits is
// awaited to a final state or cancelled (removed when waiting, killed through the cancel
// event when running), so a run settles only when each of its scripts has settled.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, QueueEventsProducer, type JobsOptions } from 'bullmq';
import type { ScriptJobData } from './job-payload.ts';
import { closeConnection, waitUntilConnected } from './close-connection.ts';
import { JobWaiter, type FinishedJob } from './job-waiter.ts';
import { CANCEL_EVENT, DEFAULT_QUEUE, EVENT_STREAM_LENGTH, runsQueueName } from './queue-names.ts';
import { redact, resolveRedisTarget, type RedisTarget } from './redis-target.ts';
import { backendSchema, parseOrThrow, type BackendOptions } from './validate-options.ts';

/** What a re-attaching coordinator needs to know about a run. */
export interface RunManifest {
  runId: string;
  createdAt: string;
  /** per plan index: the script relative to the shared root, or null if it was not sendable */
  scripts: Array<string | null>;
  /** per plan index: the coordinator's absolute path (for names in results) */
  paths: string[];
}

/** How long to wait for Redis before a run is refused. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How often a cancel event is repeated until the running job has settled. */
const CANCEL_REPEAT_MS = 1_000;
const REMOVABLE = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

export class RedisBackend {
  readonly target: RedisTarget;
  readonly queueName: string;
  readonly root: string;
  readonly options: BackendOptions;
  #parts: { queue: Queue; runs: Queue; events: QueueEvents; producer: QueueEventsProducer; waiter: JobWaiter } | null = null;
  #ready: Promise<void> | null = null;

  constructor(options: unknown, optionName = 'backend') {
    this.options = parseOrThrow(backendSchema, options, optionName);
    this.target = resolveRedisTarget(this.options.redis, `${optionName}.redis`);
    this.queueName = this.options.queue ?? DEFAULT_QUEUE;
    this.root = path.resolve(this.options.root ?? process.cwd());
  }

  /** Connects on first use; rejects with a plain-language Error (no password) if Redis is unreachable. */
  connect(): Promise<void> {
    this.#ready ??= (async () => {
      const connection = this.target.connection;
      const queue = new Queue(this.queueName, { connection, streams: { events: { maxLen: EVENT_STREAM_LENGTH } } });
      const runs = new Queue(runsQueueName(this.queueName), { connection });
      const events = new QueueEvents(this.queueName, { connection });
      const producer = new QueueEventsProducer(this.queueName, { connection });
      // Each reconnects on its own; a lasting outage shows up as a connect or add failure.
      queue.on('error', () => {});
      runs.on('error', () => {});
      events.on('error', () => {});
      (producer as unknown as NodeJS.EventEmitter).on('error', () => {});
      this.#parts = { queue, runs, events, producer, waiter: new JobWaiter(queue, events) };
      try {
        await waitUntilConnected([queue, runs, events, producer as unknown as Queue], CONNECT_TIMEOUT_MS);
      } catch (error) {
        throw new Error(`cannot reach redis at ${this.target.display}: ${redact((error as Error).message, this.target)}`);
      }
    })();
    return this.#ready;
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

  async writeManifest(manifest: RunManifest): Promise<void> {
    const { runs } = this.#connected();
    const keepMs = (this.options.keepResultsS ?? 86_400) * 1000;
    // Manifests are never processed: old ones are cleaned here, BullMQ's way.
    await runs.clean(keepMs, 1000, 'wait').catch(() => []);
    await runs.add('run', manifest, { jobId: manifest.runId });
  }

  async readManifest(runId: string): Promise<RunManifest | null> {
    const job = await this.#connected().runs.getJob(runId);
    return (job?.data as RunManifest | undefined) ?? null;
  }

  /** Registers the wait before adding, so a fast job's completion is never missed. */
  submit(jobId: string, data: ScriptJobData, retries: number): { added: Promise<unknown>; finished: Promise<FinishedJob> } {
    const { queue, waiter } = this.#connected();
    const keep = { age: this.options.keepResultsS ?? 86_400 };
    const opts: JobsOptions = {
      jobId,
      attempts: retries + 1,
      removeOnComplete: keep,
      removeOnFail: keep,
      ...(this.options.backoffMs && { backoff: { type: 'exponential', delay: this.options.backoffMs } }),
      ...(this.options.priority !== undefined && { priority: this.options.priority }),
      ...(this.options.delayMs && { delay: this.options.delayMs }),
    };
    const finished = waiter.wait(jobId);
    return { added: queue.add('script', data, opts), finished };
  }

  wait(jobId: string): Promise<FinishedJob> {
    return this.#connected().waiter.wait(jobId);
  }

  /** Removes a job still waiting; tells the workers to kill it if running, until it settles. */
  async cancelJob(jobId: string, reason: string, finished: Promise<unknown>): Promise<void> {
    const { queue, producer, waiter } = this.#connected();
    try {
      const job = await queue.getJob(jobId);
      if (job && REMOVABLE.has(await job.getState()) && (await queue.remove(jobId)) === 1) {
        waiter.check(jobId);
        return;
      }
    } catch {
      // fall through to the cancel event: it is harmless for a job that is not running
    }
    let done = false;
    void finished.finally(() => { done = true; });
    // Repeated because a job may become active just after the first event went out.
    while (!done) {
      await producer.publishEvent({ eventName: CANCEL_EVENT, jobId, reason }, EVENT_STREAM_LENGTH).catch(() => undefined);
      await Promise.race([finished, new Promise((r) => setTimeout(r, CANCEL_REPEAT_MS).unref())]);
    }
  }

  async close(): Promise<void> {
    const parts = this.#parts;
    this.#parts = null;
    this.#ready = null;
    if (!parts) return;
    parts.waiter.close();
    await Promise.all([parts.queue, parts.runs, parts.events, parts.producer].map((part) => closeConnection(part)));
  }
}
