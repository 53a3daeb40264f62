// Owns the names ergate uses inside Redis, so coordinator and workers agree: the script
// queue, the queue holding one manifest job per run (for re-attaching), the custom event
// that tells workers to kill a running job and the stream it travels on, and job ids. BullMQ refuses ':' in custom ids.

/** @default queue name when none is given */
export const DEFAULT_QUEUE = 'ergate';

/** Custom QueueEvents event (QueueEventsProducer) carrying { jobId, reason }. */
export const CANCEL_EVENT = 'ergate-cancel';

/**
 * The event stream cancel events travel on: a queue of its own, never given jobs, so a worker
 * listening for cancels reads only them, not every event of every job (with the queue's own
 * stream, each worker cost ~1 XREAD per job: per-job commands grew with the worker count).
 */
export function cancelQueueName(queue: string): string {
  return `${queue}-cancel`;
}

/** Holds a never-processed manifest job per run: what a re-attaching coordinator reads. */
export function runsQueueName(queue: string): string {
  return `${queue}-runs`;
}

export function scriptJobId(runId: string, index: number): string {
  return `${runId}.${index}`;
}

/** Events kept in the queue's event stream (BullMQ's default for its own events). */
export const EVENT_STREAM_LENGTH = 10_000;
