// The scheduler's jobs as columns: one slot per job, in scheduling order (ids `job-<n>` count
// up, so slots are sorted by n). A job costs a few array slots, not an object: while 100,000
// jobs wait, objects would be copied by every young-generation GC, whereas typed arrays keep
// their numbers off the JS heap and large arrays of shared values are never moved. A job's
// AsyncJob object (job-view.ts) is made on first read and reads these columns.
// Invariant: seqs increase with slot, and every column's slot i describes the same job.

import { JobSpec, type JobFn, type JobOptions } from './job-options.ts';
import type { RunScope } from './job-run.ts';
import { PENDING } from './job-status.ts';
import { JobView } from './job-view.ts';

const INITIAL_CAPACITY = 16;

function grown<A extends Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(
  array: A,
  capacity: number,
): A {
  const bigger = new (array.constructor as new (length: number) => A)(capacity);
  bigger.set(array);
  return bigger;
}

export class JobStore {
  size = 0;
  seqs = new Float64Array(INITIAL_CAPACITY);
  statuses = new Uint8Array(INITIAL_CAPACITY);
  priorities = new Float64Array(INITIAL_CAPACITY);
  runs = new Uint32Array(INITIAL_CAPACITY);
  /** Stamps (job-clock.ts); NaN while unset. startedAt: the first run's start. */
  scheduledAt = new Float64Array(INITIAL_CAPACITY);
  startedAt = new Float64Array(INITIAL_CAPACITY);
  completedAt = new Float64Array(INITIAL_CAPACITY);
  /** fn, name, maxRuns, options: each job's index in `specs`. */
  specIndex = new Uint32Array(INITIAL_CAPACITY);
  /** One JobSpec per run of like jobs (consecutive jobs with the same fn, name, maxRuns, options). */
  readonly specs: JobSpec[] = [];
  /** The last failure's or the cancellation's reason, by n (most jobs have none). */
  readonly errors = new Map<number, string>();
  // The pointer columns are made when first written, filled to the current size in one go:
  // growing them push by push, job by job, cost more than the GC they replace.
  #results: unknown[] | undefined = undefined;
  #views: (JobView | undefined)[] | undefined = undefined;
  #scopes: (RunScope | undefined)[] | undefined = undefined;

  /** Adds a pending job whose n is above every n already here; returns its slot. */
  add(seq: number, name: string, priority: number, maxRuns: number, fn: JobFn, options: JobOptions, stamp: number) {
    const { specs } = this;
    const last = specs.length - 1;
    const spec = specs[last];
    let index = last;
    if (spec?.fn !== fn || spec.name !== name || spec.maxRuns !== maxRuns || spec.options !== options)
      index = specs.push(new JobSpec(fn, name, maxRuns, options)) - 1;
    return this.#add(seq, index, priority, stamp);
  }

  #add(seq: number, specIndex: number, priority: number, stamp: number): number {
    const slot = this.size++;
    if (slot === this.seqs.length) this.#grow(slot * 2);
    this.seqs[slot] = seq;
    this.statuses[slot] = PENDING;
    this.priorities[slot] = priority;
    this.runs[slot] = 0;
    this.scheduledAt[slot] = stamp;
    this.startedAt[slot] = NaN;
    this.completedAt[slot] = NaN;
    this.specIndex[slot] = specIndex;
    this.#results?.push(null);
    this.#views?.push(undefined);
    this.#scopes?.push(undefined);
    return slot;
  }

  spec(slot: number): JobSpec {
    return this.specs[this.specIndex[slot]];
  }

  result(slot: number): unknown {
    return this.#results === undefined ? null : this.#results[slot];
  }

  setResult(slot: number, result: unknown): void {
    (this.#results ??= filled(this.size, null))[slot] = result;
  }

  /** The job's current run while it is running. */
  scope(slot: number): RunScope | undefined {
    return this.#scopes?.[slot];
  }

  setScope(slot: number, run: RunScope | undefined): void {
    (this.#scopes ??= filled(this.size, undefined))[slot] = run;
  }

  /** The job's error (the AsyncJob field). */
  errorOf(seq: number): string | null {
    return this.errors.size === 0 ? null : (this.errors.get(seq) ?? null);
  }

  setError(seq: number, error: string | null): void {
    if (error !== null) this.errors.set(seq, error);
    else if (this.errors.size > 0) this.errors.delete(seq);
  }

  /** The slot of job n, or -1. O(1) while no job was removed from the middle, else a binary search. */
  slotOf(seq: number): number {
    const seqs = this.seqs;
    const guess = seq - seqs[0];
    if (guess >= 0 && guess < this.size && seqs[guess] === seq) return guess;
    let low = 0;
    let high = this.size - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = seqs[mid];
      if (at < seq) low = mid + 1;
      else if (at > seq) high = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** The job's AsyncJob (made now if nobody read it yet). */
  view(slot: number): JobView {
    return ((this.#views ??= filled(this.size, undefined))[slot] ??= new JobView(this, this.seqs[slot]));
  }

  /**
   * Keeps the jobs `keep` says yes to, in order; returns how many were removed. A removed
   * job's AsyncJob, if it was made, keeps its final values (a copy of its columns);
   * `onRemove`, when given, gets every removed job's AsyncJob (made now if need be).
   */
  retain(keep: (slot: number) => boolean, onRemove?: (seq: number, view: JobView) => void): number {
    const before = this.size;
    let kept = 0;
    for (let slot = 0; slot < before; slot++) {
      if (keep(slot)) {
        if (kept !== slot) this.#move(slot, kept);
        kept++;
        continue;
      }
      // Slots below `kept` were written so far, never this one: it still holds its job.
      const seq = this.seqs[slot];
      const view = onRemove === undefined ? this.#views?.[slot] : this.view(slot);
      if (view !== undefined) {
        view.detach(this.#extract(slot));
        onRemove?.(seq, view);
      }
      this.setError(seq, null);
    }
    this.size = kept;
    for (const column of [this.#results, this.#views, this.#scopes]) if (column !== undefined) column.length = kept;
    return before - kept;
  }

  /** A store holding only the job at `slot` (its final values, for a detached AsyncJob). */
  #extract(slot: number): JobStore {
    const own = new JobStore();
    const seq = this.seqs[slot];
    const spec = this.spec(slot);
    own.#add(seq, own.specs.push(spec) - 1, this.priorities[slot], this.scheduledAt[slot]);
    own.#copy(this, slot, 0);
    own.setError(seq, this.errorOf(seq));
    return own;
  }

  #move(from: number, to: number): void {
    this.seqs[to] = this.seqs[from];
    this.priorities[to] = this.priorities[from];
    this.scheduledAt[to] = this.scheduledAt[from];
    this.specIndex[to] = this.specIndex[from];
    if (this.#views !== undefined) this.#views[to] = this.#views[from];
    this.#copy(this, from, to);
  }

  /** The columns a job's runs change, from `source`'s slot `from` to this store's slot `to`. */
  #copy(source: JobStore, from: number, to: number): void {
    this.statuses[to] = source.statuses[from];
    this.runs[to] = source.runs[from];
    this.startedAt[to] = source.startedAt[from];
    this.completedAt[to] = source.completedAt[from];
    if (source.#results !== undefined) this.setResult(to, source.#results[from]);
    if (source.#scopes !== undefined) this.setScope(to, source.#scopes[from]);
  }

  #grow(capacity: number): void {
    this.seqs = grown(this.seqs, capacity);
    this.statuses = grown(this.statuses, capacity);
    this.priorities = grown(this.priorities, capacity);
    this.runs = grown(this.runs, capacity);
    this.scheduledAt = grown(this.scheduledAt, capacity);
    this.startedAt = grown(this.startedAt, capacity);
    this.completedAt = grown(this.completedAt, capacity);
    this.specIndex = grown(this.specIndex, capacity);
  }
}

function filled<T>(length: number, value: T): T[] {
  return new Array<T>(length).fill(value);
}
