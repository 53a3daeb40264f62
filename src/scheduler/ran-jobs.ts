// What runAll() returns: a map from id to AsyncJob of the jobs it ran (pending or running
// when it was called, then those scheduled while it ran), never a cancelled one. Jobs that
// clearFinished() forgot meanwhile are found among `forgotten`. Invariant: map order is
// that order, and each value is the same object getJob() returns.

import { jobId } from './job-options.ts';
import { CANCELLED, PENDING, RUNNING, STATUS_NAMES, type AsyncJob } from './job-status.ts';
import type { JobStore } from './job-store.ts';
import type { JobView } from './job-view.ts';

/**
 * The jobs pending or running now, by n, in a typed array sized once (growing a JS array
 * job by job cost more) and its count.
 */
export function activeJobs(store: JobStore): { seqs: Float64Array; count: number } {
  const seqs = new Float64Array(store.size);
  let count = 0;
  for (let slot = 0; slot < store.size; slot++) {
    const status = store.statuses[slot];
    if (status === PENDING || status === RUNNING) seqs[count++] = store.seqs[slot];
  }
  return { seqs, count };
}

/** The map of runAll(): `active` (as activeJobs returned it) then `later`, by n. */
export function ranJobs(
  store: JobStore,
  active: { seqs: Float64Array; count: number },
  later: readonly number[],
  forgotten: ReadonlyMap<number, JobView>,
): Map<string, AsyncJob> {
  const jobs = new Map<string, AsyncJob>();
  const add = (seq: number): void => {
    const slot = store.slotOf(seq);
    if (slot >= 0) {
      // The AsyncJob objects of jobs nobody read yet are made here.
      if (store.statuses[slot] !== CANCELLED) jobs.set(jobId(seq), store.view(slot));
      return;
    }
    const job = forgotten.get(seq);
    if (job !== undefined && job.status !== STATUS_NAMES[CANCELLED]) jobs.set(jobId(seq), job);
  };
  for (let i = 0; i < active.count; i++) add(active.seqs[i]);
  for (let i = 0; i < later.length; i++) add(later[i]);
  return jobs;
}
