// Counters and timings of one AsyncScheduler. Counts jobs, not attempts (a job retried
// twice then completed is one completion). Queue-wait percentiles come from a ring of
// the last WAIT_WINDOW dispatches, so memory stays bounded in continuous mode.

const WAIT_WINDOW = 10_000;

export interface SchedulerMetrics {
  jobsScheduled: number;
  jobsCompleted: number;
  jobsFailed: number;
  jobsCancelled: number;
  /** Time spent running, summed over every attempt of every job. */
  totalExecutionTimeMs: number;
  /** Attempts that failed and were run again. */
  jobsRetried: number;
  /** Median time from queued (or due, for delayed jobs and retries) to started, recent dispatches. */
  readonly queueWaitP50Ms: number;
  readonly queueWaitP95Ms: number;
  /** Finished jobs (completed or failed) per second, from the first start to the last finish. */
  readonly throughputPerSec: number;
  toJSON(): object;
}

export class SchedulerMetricsTracker implements SchedulerMetrics {
  jobsScheduled = 0;
  jobsCompleted = 0;
  jobsFailed = 0;
  jobsCancelled = 0;
  totalExecutionTimeMs = 0;
  jobsRetried = 0;
  readonly #waits = new Float64Array(WAIT_WINDOW);
  #waitCount = 0;
  #firstStart = -1;
  #lastFinish = -1;

  recordStart(waitMs: number, now: number): void {
    this.#waits[this.#waitCount++ % WAIT_WINDOW] = waitMs;
    if (this.#firstStart < 0) this.#firstStart = now;
  }

  recordFinish(now: number): void {
    this.#lastFinish = now;
  }

  get queueWaitP50Ms(): number {
    return this.#percentile(0.5);
  }

  get queueWaitP95Ms(): number {
    return this.#percentile(0.95);
  }

  get throughputPerSec(): number {
    const finished = this.jobsCompleted + this.jobsFailed;
    const spanMs = this.#lastFinish - this.#firstStart;
    if (finished === 0 || this.#firstStart < 0) return 0;
    return spanMs > 0 ? (finished * 1000) / spanMs : finished * 1000;
  }

  #percentile(q: number): number {
    const n = Math.min(this.#waitCount, WAIT_WINDOW);
    if (n === 0) return 0;
    const sorted = this.#waits.slice(0, n).sort();
    return sorted[Math.min(n - 1, Math.floor(q * n))];
  }

  toJSON(): object {
    return {
      jobsScheduled: this.jobsScheduled,
      jobsCompleted: this.jobsCompleted,
      jobsFailed: this.jobsFailed,
      jobsCancelled: this.jobsCancelled,
      jobsRetried: this.jobsRetried,
      totalExecutionTimeMs: this.totalExecutionTimeMs,
      queueWaitP50Ms: this.queueWaitP50Ms,
      queueWaitP95Ms: this.queueWaitP95Ms,
      throughputPerSec: this.throughputPerSec,
    };
  }
}
