// The AsyncJob object getJob(), listJobs() and runAll() hand out: a live view on its job's
// slot in the job columns (job-store.ts), made on first read and kept, so every call returns
// the same object and it always shows the job's current state. Its Dates are its own, made
// on first read. When clearFinished() forgets the job, the view keeps a copy of its final
// values. toJSON() shows the AsyncJob fields, and so do console.log and util.inspect.

import { inspect, type InspectOptions } from 'node:util';
import { dateOf } from './job-clock.ts';
import { jobId } from './job-options.ts';
import { STATUS_NAMES, type AsyncJob, type AsyncJobStatus } from './job-status.ts';
import type { JobStore } from './job-store.ts';

export class JobView implements AsyncJob {
  #store: JobStore;
  readonly #seq: number;
  /** scheduledAt, startedAt, completedAt once read (each job's Dates are its own). */
  #dates: [Date | undefined, Date | undefined, Date | undefined] | undefined = undefined;

  constructor(store: JobStore, seq: number) {
    this.#store = store;
    this.#seq = seq;
  }

  get id(): string {
    return jobId(this.#seq);
  }

  get name(): string {
    return this.#store.spec(this.#slot()).name;
  }

  /** As scheduled; with agingMs the queue uses an improving effective priority. */
  get priority(): number {
    return this.#store.priorities[this.#slot()];
  }

  get status(): AsyncJobStatus {
    return STATUS_NAMES[this.#store.statuses[this.#slot()]];
  }

  get result(): unknown {
    return this.#store.result(this.#slot());
  }

  get error(): string | null {
    return this.#store.errorOf(this.#seq);
  }

  get maxRuns(): number {
    return this.#store.spec(this.#slot()).maxRuns;
  }

  get runs(): number {
    return this.#store.runs[this.#slot()];
  }

  get scheduledAt(): Date {
    return this.#date(0, this.#store.scheduledAt)!;
  }

  /** When the first run started. */
  get startedAt(): Date | null {
    return this.#date(1, this.#store.startedAt);
  }

  get completedAt(): Date | null {
    return this.#date(2, this.#store.completedAt);
  }

  /** @internal The job left the scheduler's columns: `own` holds its final values. */
  detach(own: JobStore): void {
    this.#store = own;
  }

  toJSON(): AsyncJob {
    const { id, name, priority, status, result, error, scheduledAt, startedAt, completedAt, maxRuns, runs } = this;
    return { id, name, priority, status, result, error, scheduledAt, startedAt, completedAt, maxRuns, runs };
  }

  /** console.log(job) shows its fields, not an empty class (they are getters on the columns). */
  [inspect.custom](_depth: number, options: InspectOptions): string {
    return `AsyncJob ${inspect(this.toJSON(), options)}`;
  }

  #slot(): number {
    return this.#store.slotOf(this.#seq);
  }

  #date(index: 0 | 1 | 2, stamps: Float64Array): Date | null {
    const dates = (this.#dates ??= [undefined, undefined, undefined]);
    const cached = dates[index];
    if (cached !== undefined) return cached;
    const stamp = stamps[this.#slot()];
    return Number.isNaN(stamp) ? null : (dates[index] = dateOf(stamp));
  }
}
