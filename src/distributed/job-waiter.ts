// Owns waiting for BullMQ jobs to reach a final state, for a coordinator and a re-attached one.
// Fast path: a 'completed' event carries the worker's return value itself (no lookup); a
// 'failed' or 'removed' event triggers one lookup. Safety net (events trimmed or missed while a
// connection was down): each tick reads the ids finished since the last tick from the queue's
// completed and failed sets, plus a few pending jobs in turn, so its cost grows with
// completions, never with the number of jobs pending. A presence key, set whenever waits
// begin and renewed on every tick, tells within a tick that Redis lost its data (flushed,
// restarted without persistence). Invariant: each wait() settles exactly once, with what
// the worker reported, null when the job no longer exists, or `lost` when the coordinator
// gave up on Redis.
// Types only: bullmq is loaded by whoever builds the queue (lazily, see redis-backend.ts).
import type { Queue, QueueEvents } from 'bullmq';
import { UNKNOWN_WORKER, type FinishedJob, type JobRecord } from './finished-job.ts';

interface Pending {
  resolvers: Array<(job: FinishedJob) => void>;
  checking: boolean;
  /** the workers it was lost on, as BullMQ's processedBy read when each stall was reported */
  lostOn: string[];
}

interface RawClient {
  zrangebyscore(key: string, min: number, max: string): Promise<string[]>;
  set(key: string, value: string, ex: 'EX', seconds: number): Promise<unknown>;
  expire(key: string, seconds: number): Promise<number>;
  del(key: string): Promise<number>;
  hget(key: string, field: string): Promise<string | null>;
  zmscore(key: string, ...members: string[]): Promise<Array<string | null>>;
  exists(...keys: string[]): Promise<number>;
}

const noop = (): void => {};
/** The presence key outlives a coordinator that died by this much; renewed on every tick. */
const PRESENCE_TTL_S = 3_600;

/** Pending jobs looked up in turn per tick (catches jobs gone without an event). */
const ROUND_ROBIN = 10;
/** Finished-set entries are read back this far before the last sweep (clock skew, slow ticks). */
const SWEEP_OVERLAP_MS = 10_000;

export class JobWaiter {
  readonly #queue: Queue;
  readonly #events: QueueEvents;
  readonly #pending = new Map<string, Pending>();
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | null = null;
  #cursor: Iterator<string> | null = null;
  #sweptUntil = Date.now();
  #sweeping = false;

  readonly #presence: { key: string; onGone: () => void } | null;

  /**
   * @param presence a key of the coordinator's own, and what to do when it is found gone
   *   (Redis lost every job with it)
   */
  constructor(
    queue: Queue,
    events: QueueEvents,
    presence: { key: string; onGone: () => void } | null = null,
    pollMs = 2_000,
  ) {
    this.#queue = queue;
    this.#events = events;
    this.#presence = presence;
    this.#pollMs = pollMs;
    events.on('completed', ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
      // The event is written in the same Redis script that finishes the job: this is the result.
      if (returnvalue && typeof returnvalue === 'object')
        this.#settle(jobId, { job: fromEvent(returnvalue), state: 'completed' });
      else this.check(jobId);
    });
    events.on('failed', ({ jobId }: { jobId: string }) => this.check(jobId));
    events.on('removed', ({ jobId }: { jobId: string }) => this.check(jobId));
    // Moved back to waiting because its worker died: processedBy still names that worker,
    // until another worker takes the job (best effort, one read per stall).
    events.on('stalled', ({ jobId }: { jobId: string }) => {
      const pending = this.#pending.get(jobId);
      if (!pending) return;
      void this.#client()
        .then((client) => client.hget(this.#queue.toKey(jobId), 'pb'))
        .then(
          (worker) => pending.lostOn.push(worker ?? UNKNOWN_WORKER),
          () => pending.lostOn.push(UNKNOWN_WORKER),
        );
    });
  }

  /** How many waits are still open. */
  get size(): number {
    return this.#pending.size;
  }

  /** Settles when the job is completed, finally failed, or gone. */
  wait(jobId: string): Promise<FinishedJob> {
    return new Promise<FinishedJob>((resolve) => {
      const existing = this.#pending.get(jobId);
      if (existing) existing.resolvers.push(resolve);
      else this.#pending.set(jobId, { resolvers: [resolve], checking: false, lostOn: [] });
      if (this.#timer) return;
      this.#timer = setInterval(() => void this.#tick(), this.#pollMs);
      // Set before any job this wait is for is added (same connection, so in order).
      if (this.#presence)
        void this.#client()
          .then((client) => client.set(this.#presence!.key, '1', 'EX', PRESENCE_TTL_S))
          .catch(noop);
    });
  }

  /** Looks the job up now; settles its wait if it is final. */
  check(jobId: string): void {
    const pending = this.#pending.get(jobId);
    if (!pending || pending.checking) return;
    pending.checking = true;
    void this.#lookUp(jobId).then((job) => {
      pending.checking = false;
      if (job !== undefined) this.#settle(jobId, job);
    });
  }

  #settle(jobId: string, job: FinishedJob): void {
    const pending = this.#pending.get(jobId);
    if (!pending) return;
    this.#pending.delete(jobId);
    if (this.#pending.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
    const seen =
      job && 'job' in job && pending.lostOn.length > 0 ? { ...job, job: { ...job.job, lostOn: pending.lostOn } } : job;
    for (const resolve of pending.resolvers) resolve(seen);
  }

  /**
   * State first, then the job: a job read while still active and found completed a moment
   * later would otherwise look completed without its return value (issue 14, point 10).
   * @returns the final job, null when gone, undefined when not final yet (or Redis failed)
   */
  async #lookUp(jobId: string): Promise<FinishedJob | undefined> {
    try {
      const state = await this.#queue.getJobState(jobId);
      if (state === 'unknown') return null;
      if (state !== 'completed' && state !== 'failed') return undefined;
      const job = await this.#queue.getJob(jobId);
      return job ? { job, state } : null;
    } catch {
      return undefined; // Redis unreachable: the next tick tries again
    }
  }

  async #tick(): Promise<void> {
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      const now = Date.now();
      const client = await this.#client();
      // Renewed and checked in one command: 0 means the key is gone, and every job with it.
      if (this.#presence && (await client.expire(this.#presence.key, PRESENCE_TTL_S)) === 0) {
        this.#presence.onGone();
        return;
      }
      const since = this.#sweptUntil - SWEEP_OVERLAP_MS;
      const [completed, failed] = await Promise.all(
        ['completed', 'failed'].map((set) => client.zrangebyscore(this.#queue.toKey(set), since, '+inf')),
      );
      this.#sweptUntil = now;
      for (const id of [...completed, ...failed]) this.check(id);
    } catch {
      // Redis unreachable: the window stays open and the next tick reads it again
    } finally {
      this.#sweeping = false;
    }
    const turn: string[] = [];
    for (let i = 0; i < ROUND_ROBIN && this.#pending.size > 0; i++) {
      this.#cursor ??= this.#pending.keys();
      const next = this.#cursor.next();
      if (next.done) this.#cursor = null;
      else turn.push(next.value);
    }
    if (turn.length > 0) void this.#probe(turn);
  }

  /**
   * Three commands for a turn's jobs, where a lookup each cost a Lua script reading up to
   * seven keys (~2.5 Redis commands per job of a slow run): a job in the completed or failed
   * set, or whose hash is gone, is looked up; the others are still on their way.
   */
  async #probe(ids: string[]): Promise<void> {
    let suspects = ids;
    try {
      const client = await this.#client();
      const [completed, failed, present] = await Promise.all([
        client.zmscore(this.#queue.toKey('completed'), ...ids),
        client.zmscore(this.#queue.toKey('failed'), ...ids),
        client.exists(...ids.map((id) => this.#queue.toKey(id))),
      ]);
      suspects = present < ids.length ? ids : ids.filter((_, i) => completed[i] !== null || failed[i] !== null);
    } catch {
      // Redis unreachable, or older than 6.2 (no ZMSCORE): look each one up
    }
    for (const id of suspects) this.check(id);
  }

  /** ioredis underneath; BullMQ's client type names only what BullMQ itself calls. */
  async #client(): Promise<RawClient> {
    return (await this.#queue.client) as unknown as RawClient;
  }

  /** Settles every open wait with `lost` (the coordinator gave up on Redis). */
  failAll(lost: string): void {
    for (const jobId of [...this.#pending.keys()]) this.#settle(jobId, { lost });
  }

  /** Stops polling; waits still pending stay pending (the caller is tearing down). */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#presence)
      void this.#client()
        .then((client) => client.del(this.#presence!.key))
        .catch(noop);
    this.#events.removeAllListeners('completed');
    this.#events.removeAllListeners('failed');
    this.#events.removeAllListeners('removed');
    this.#events.removeAllListeners('stalled');
  }
}

function fromEvent(returnvalue: object): JobRecord {
  return { returnvalue, attemptsStarted: 1, stalledCounter: 0, timestamp: Date.now() };
}
