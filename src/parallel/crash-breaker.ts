// Owns the crash-loop breaker of a runner's pool: when supervisor threads die several times
// in a row without one script completing in between, the pool is considered broken and no
// further script is handed to it (each is reported 'error' with the reason instead of
// hanging or respawning threads forever). One success resets the count.

/** Consecutive supervisor deaths that trip the breaker. */
export const DEFAULT_CRASH_LIMIT = 3;

export class CrashBreaker {
  readonly #limit: number;
  #consecutive = 0;
  #lastMessage = '';

  constructor(limit = DEFAULT_CRASH_LIMIT) {
    this.#limit = limit;
  }

  get tripped(): boolean {
    return this.#consecutive >= this.#limit;
  }

  recordSuccess(): void {
    this.#consecutive = 0;
  }

  recordFailure(message: string): void {
    this.#consecutive += 1;
    this.#lastMessage = message;
  }

  /** Plain-language reason given to the scripts that were not run because of the breaker. */
  reason(): string {
    return `not run: supervisor threads died ${this.#consecutive} times in a row (last: ${this.#lastMessage})`;
  }
}
