// Owns how the coordinator reads the queue's event stream: in batches. BullMQ's QueueEvents
// issues the next XREAD as soon as one returns, so while jobs finish a few at a time each
// read brings one event (added, active, completed: ~4 reads a job, and their CPU on the
// coordinator). Here each XREAD waits `pauseMs` first, so the events of that interval come
// in one read. Invariant: no event is skipped (the stream id carries on from the last read)
// and a result arrives at most `pauseMs` later than it would have.
import type { QueueEvents, QueueEventsOptions } from 'bullmq';

type BullMQ = typeof import('bullmq');

/** How long the coordinator lets events gather before each read of the stream. */
export const EVENTS_PAUSE_MS = 50;

/** A bullmq QueueEvents whose stream reads each wait `pauseMs` first. */
export function createBatchedEvents(
  bullmq: BullMQ,
  name: string,
  options: QueueEventsOptions,
  pauseMs = EVENTS_PAUSE_MS,
): QueueEvents {
  class BatchedEvents extends bullmq.QueueEvents {
    protected override async checkConnectionError<T>(fn: () => Promise<T>, delayInMs?: number): Promise<T | undefined> {
      // consumeEvents sets `blocking` just before each XREAD: pause there, nowhere else.
      if ((this as unknown as { blocking: boolean }).blocking && !this.closing)
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      return super.checkConnectionError(fn, delayInMs);
    }
  }
  return new BatchedEvents(name, options);
}
