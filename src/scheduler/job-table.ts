// The scheduler's jobs by id, in scheduling order. Ids are `job-<n>` with n counting up, so a
// plain array is already sorted by n: lookups are a binary search, adding is a push, and no
// job pays for a hash-map entry (at 100,000 queued jobs every retained byte is copied by each
// young-generation GC). Invariant: the array stays in increasing n; removal keeps the order.
import { jobId, type JobEntry } from './job-entry.ts';

const PREFIX = 'job-';

export class JobTable {
  #entries: JobEntry[] = [];

  get size(): number {
    return this.#entries.length;
  }

  /** Adds a job whose number is above every job's already here. */
  add(entry: JobEntry): void {
    this.#entries.push(entry);
  }

  get(id: string): JobEntry | undefined {
    if (typeof id !== 'string' || !id.startsWith(PREFIX)) return undefined;
    const n = Number(id.slice(PREFIX.length));
    if (!Number.isSafeInteger(n)) return undefined;
    const entries = this.#entries;
    let low = 0;
    let high = entries.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const seq = entries[mid].seq;
      if (seq < n) low = mid + 1;
      else if (seq > n) high = mid - 1;
      // The same number written another way ('job-01', 'job-1.0') is not this job's id.
      else return jobId(seq) === id ? entries[mid] : undefined;
    }
    return undefined;
  }

  /** Every job, in scheduling order (a job added while this is iterated is seen too). */
  values(): readonly JobEntry[] {
    return this.#entries;
  }

  /** Keeps the jobs `keep` says yes to, in order; returns how many were removed. */
  retain(keep: (entry: JobEntry) => boolean): number {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter(keep);
    return before - this.#entries.length;
  }
}
