// Owns waiting for BullMQ jobs to reach a final state, for a coordinator and for a
// re-attached one. Fast path: the queue's 'completed'/'failed'/'removed' events; safety net:
// a periodic look at every job still awaited (events can be trimmed or missed while a
// connection is down). Invariant: each wait() settles exactly once, with the finished Job,
// or null when the job no longer exists (removed before it ran).
// Types only: bullmq is loaded by whoever builds the queue (lazily, see redis-backend.ts).
import type { Job, Queue, QueueEvents } from 'bullmq';

/** A job in a final state; null when the job no longer exists. */
export type FinishedJob = { job: Job; state: 'completed' | 'failed' } | null;

interface Pending {
  resolve: (job: FinishedJob) => void;
  checking: boolean;
}

export class JobWaiter {
  readonly #queue: Queue;
  readonly #events: QueueEvents;
  readonly #pending = new Map<string, Pending>();
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(queue: Queue, events: QueueEvents, pollMs = 3_000) {
    this.#queue = queue;
    this.#events = events;
    this.#pollMs = pollMs;
    const onFinal = ({ jobId }: { jobId: string }): void => this.check(jobId);
    events.on('completed', onFinal);
    events.on('failed', onFinal);
    events.on('removed', onFinal);
  }

  /** Settles when the job is completed, finally failed, or gone. */
  wait(jobId: string): Promise<FinishedJob> {
    const existing = this.#pending.get(jobId);
    if (existing) return new Promise((resolve) => {
      const previous = existing.resolve;
      existing.resolve = (job) => { previous(job); resolve(job); };
    });
    const promise = new Promise<FinishedJob>((resolve) => this.#pending.set(jobId, { resolve, checking: false }));
    this.#timer ??= setInterval(() => { for (const id of this.#pending.keys()) this.check(id); }, this.#pollMs);
    return promise;
  }

  /** Looks the job up now; settles its wait if it is final. */
  check(jobId: string): void {
    const pending = this.#pending.get(jobId);
    if (!pending || pending.checking) return;
    pending.checking = true;
    void this.#lookUp(jobId).then((job) => {
      pending.checking = false;
      if (job === undefined) return;
      this.#pending.delete(jobId);
      if (this.#pending.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = null;
      }
      pending.resolve(job);
    });
  }

  /** @returns the final job, null when gone, undefined when not final yet (or Redis failed) */
  async #lookUp(jobId: string): Promise<FinishedJob | undefined> {
    try {
      const job = await this.#queue.getJob(jobId);
      if (!job) return null;
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') return { job, state };
      if (state === 'unknown') return null;
      return undefined;
    } catch {
      return undefined; // Redis unreachable: the next poll tries again
    }
  }

  /** Stops polling; waits still pending stay pending (the caller is tearing down). */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#events.removeAllListeners('completed');
    this.#events.removeAllListeners('failed');
    this.#events.removeAllListeners('removed');
  }
}
