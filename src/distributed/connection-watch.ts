// Owns how a coordinator notices Redis going away: the first sign of a lost connection is
// logged once (redacted URL), the client keeps retrying with BullMQ's backoff, its return is
// logged, and after `timeoutMs` without Redis `onGiveUp` ends what is waiting. Invariant: one
// line per outage, never the password, and onGiveUp at most once.
import { redact, type RedisTarget } from '../seam/redis-target.ts';

interface ClientEvents {
  on(event: 'error' | 'close' | 'ready', listener: (error?: Error) => void): unknown;
  off(event: 'error' | 'close' | 'ready', listener: (error?: Error) => void): unknown;
}

export class ConnectionWatch {
  readonly #target: RedisTarget;
  readonly #timeoutMs: number;
  readonly #log: (line: string) => void;
  readonly #onGiveUp: (message: string) => void;
  #downSince: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  #gaveUp = false;
  readonly #detach: () => void;

  constructor(
    client: ClientEvents,
    target: RedisTarget,
    timeoutMs: number,
    log: (line: string) => void,
    onGiveUp: (message: string) => void,
  ) {
    this.#target = target;
    this.#timeoutMs = timeoutMs;
    this.#log = log;
    this.#onGiveUp = onGiveUp;
    const down = (error?: Error): void => this.#down(error);
    const up = (): void => this.#up();
    client.on('error', down);
    client.on('close', down);
    client.on('ready', up);
    this.#detach = () => {
      client.off('error', down);
      client.off('close', down);
      client.off('ready', up);
    };
  }

  /** Set once the coordinator gave up on Redis: the plain-language reason. */
  lost: string | null = null;

  #down(error?: Error): void {
    if (this.#downSince !== null || this.#gaveUp) return;
    this.#downSince = Date.now();
    const why = error?.message ? ` (${redact(error.message, this.#target)})` : '';
    this.#log(
      `lost the connection to redis at ${this.#target.display}${why}; retrying, the run ends if it is not back within ${this.#timeoutMs / 1000} s`,
    );
    this.#timer = setTimeout(() => {
      this.#gaveUp = true;
      this.lost = `lost: no answer from redis at ${this.#target.display} for ${this.#timeoutMs / 1000} s; the job may still run on a worker (attachRun can collect it later)`;
      this.#log(
        `no answer from redis at ${this.#target.display} for ${this.#timeoutMs / 1000} s: ending the run, unfinished scripts are reported as errors`,
      );
      this.#onGiveUp(this.lost);
    }, this.#timeoutMs);
  }

  #up(): void {
    if (this.#downSince === null || this.#gaveUp) return;
    this.#log(`the connection to redis at ${this.#target.display} is back after ${Date.now() - this.#downSince} ms`);
    this.#downSince = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#detach();
  }
}
