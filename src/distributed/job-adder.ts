// Owns how a coordinator adds its jobs to the queue: the jobs submitted in one turn of the
// event loop go together with addBulk, BULK_SIZE at a time (one MULTI each). Invariant: every
// add settles: added, or rejected with the reason (the connection closed, Redis given up on).
import type { JobsOptions, Queue } from 'bullmq';
import type { FunctionJobData } from '../seam/function-job-data.ts';
import type { ScriptJobData } from './job-payload.ts';

/** Jobs per addBulk call (one MULTI): bounds a single request's size. */
const BULK_SIZE = 500;

export interface QueuedAdd {
  name: string;
  data: ScriptJobData | FunctionJobData;
  opts: JobsOptions;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class JobAdder {
  /** the queue, or null once the connection is closed */
  readonly #queue: () => Queue | null;
  #pending: QueuedAdd[] = [];
  /**
   * Adds in flight, each failed at once when the coordinator gives up on Redis (--redis-timeout).
   * A set, not a race against one never-settling promise: that would keep every add's jobs alive.
   */
  readonly #inFlight = new Set<(error: Error) => void>();
  #lost: Error | null = null;

  constructor(queue: () => Queue | null) {
    this.#queue = queue;
  }

  /** Queues one job; it is sent with the others of this turn. */
  add(add: QueuedAdd): void {
    this.#pending.push(add);
    if (this.#pending.length > 1) return;
    setImmediate(() => this.#flush());
  }

  /** Fails every add in flight, and every later one, with `error`. */
  giveUp(error: Error): void {
    this.#lost ??= error;
    for (const fail of this.#inFlight) fail(error);
  }

  #flush(): void {
    const adds = this.#pending;
    this.#pending = [];
    const queue = this.#queue();
    if (!queue) {
      for (const a of adds) a.reject(new Error('the connection to redis was closed'));
      return;
    }
    for (let i = 0; i < adds.length; i += BULK_SIZE) {
      const chunk = adds.slice(i, i + BULK_SIZE);
      const fail = (error: Error): void => {
        this.#inFlight.delete(fail);
        for (const a of chunk) a.reject(error);
      };
      if (this.#lost) {
        fail(this.#lost);
        continue;
      }
      // A request waits for Redis to come back (BullMQ retries forever): until the coordinator gives up.
      this.#inFlight.add(fail);
      queue.addBulk(chunk.map(({ name, data, opts }) => ({ name, data, opts }))).then(() => {
        this.#inFlight.delete(fail);
        for (const a of chunk) a.resolve();
      }, fail);
    }
  }
}
