// Owns the names ergate uses inside Redis, so coordinator and workers agree: the script
// queue, the queue holding one manifest job per run (for re-attaching), the custom event
// that tells workers to kill a running job, and job ids. BullMQ refuses ':' in custom ids.

/** @default queue name when none is given */
export const DEFAULT_QUEUE = 'ergate';

/** Custom QueueEvents event (QueueEventsProducer) carrying { jobId, reason }. */
export const CANCEL_EVENT = 'ergate-cancel';

/** Holds a never-processed manifest job per run: what a re-attaching coordinator reads. */
export function runsQueueName(queue: string): string {
  return `${queue}-runs`;
}

export function scriptJobId(runId: string, index: number): string {
  return `${runId}.${index}`;
}

/** Events kept in the queue's event stream (BullMQ's default for its own events). */
export const EVENT_STREAM_LENGTH = 10_000;
