// Owns queue entries a worker cannot read: job data that is not JSON (BullMQ's own parse
// throws before any processor runs, leaving the job active until it stalls, over and over)
// and data that is not an object (null, a number). Invariant: such an entry still reaches
// the processor, as a job whose data is null and whose reason is known, so it ends at once
// as that job's 'error' and the worker goes on.
import type { Job, JobJsonRaw, Worker } from 'bullmq';

type BullMQ = typeof import('bullmq');

/** Jobs whose raw data could not be parsed, with the parser's words. */
const UNREADABLE = new WeakMap<object, string>();

/** A bullmq Worker, except that an entry whose data is not JSON becomes a job with null data. */
export function createTolerantWorker<D, R>(
  bullmq: BullMQ,
  ...args: ConstructorParameters<typeof Worker<D, R>>
): Worker<D, R> {
  class TolerantWorker extends bullmq.Worker<D, R> {
    protected override createJob(raw: JobJsonRaw, jobId: string): Job<D, R> {
      try {
        return super.createJob(raw, jobId);
      } catch (error) {
        const job = super.createJob({ ...raw, data: 'null' }, jobId);
        UNREADABLE.set(job, `the job's data is not JSON (${(error as Error).message})`);
        return job;
      }
    }
  }
  return new TolerantWorker(...args);
}

/** Why the job's data is unusable, or null when it is an object a job rule can judge. */
export function malformedData(job: Job): string | null {
  const unreadable = UNREADABLE.get(job);
  if (unreadable) return unreadable;
  const data: unknown = job.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return `the job's data is not an object (got ${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data})`;
  return null;
}
