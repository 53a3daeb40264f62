// The one crash-loop breaker (script launchers and function hosts): counts start-up failures
// in a row, never a job's own failure. After `limit` of them it opens: callers start nothing
// and fail work with a clear error until `cooldownMs` has passed, then one attempt is allowed.

export interface StartupBreakerOptions {
  /** consecutive start-up deaths that open the breaker @default 3 */
  limit?: number;
  /** how long an open breaker refuses new hosts @default 10_000 */
  cooldownMs?: number;
}

export class StartupBreaker {
  readonly #limit: number;
  readonly #cooldownMs: number;
  #failuresInARow = 0;
  #openUntil = 0;
  #lastFailure = '';

  constructor(options: StartupBreakerOptions = {}) {
    this.#limit = options.limit ?? 3;
    this.#cooldownMs = options.cooldownMs ?? 10_000;
  }

  /** A host started: the streak is over. */
  recordStarted(): void {
    this.#failuresInARow = 0;
  }

  /** A host died before it was ready; `detail` says how (exit code, stderr line). */
  recordStartupFailure(detail: string): void {
    this.#failuresInARow += 1;
    this.#lastFailure = detail;
    if (this.#failuresInARow >= this.#limit) this.#openUntil = Date.now() + this.#cooldownMs;
  }

  /** true while new hosts must not be started. */
  get isOpen(): boolean {
    if (this.#openUntil === 0) return false;
    if (Date.now() < this.#openUntil) return true;
    // Cool-down over: allow one more attempt; a further failure reopens at once.
    this.#openUntil = 0;
    this.#failuresInARow = this.#limit - 1;
    return false;
  }

  /** Plain-language reason to report while the breaker is open. */
  describe(what: string): string {
    return `${what} failed to start ${this.#limit} times in a row, so no new one is started for now (last: ${this.#lastFailure})`;
  }
}
