// Delivers scheduler events to a mitt bus without ever disturbing the scheduler: each
// handler is called on its own inside try/catch (mitt's own emit would stop at the first
// throwing handler), and no payload is built when nobody listens.

import type { Emitter, EventType } from 'mitt';

export type SchedulerEvent =
  'job.scheduled' | 'job.started' | 'job.completed' | 'job.failed' | 'job.cancelled' | 'job.retrying';

export interface JobEventPayload {
  jobId: string;
  jobName: string;
  [extra: string]: unknown;
}

type AnyEmitter = Emitter<Record<EventType, unknown>>;

/** True when a handler for `type` (or a '*' handler) is registered. */
export function hasListeners(bus: AnyEmitter, type: SchedulerEvent): boolean {
  const all = bus.all;
  if (all === undefined) return true;
  return (all.get(type)?.length ?? 0) > 0 || (all.get('*')?.length ?? 0) > 0;
}

export function emitEvent(bus: AnyEmitter, type: SchedulerEvent, payload: JobEventPayload): void {
  const all = bus.all;
  if (all === undefined) {
    try {
      bus.emit(type, payload);
    } catch {
      // A handler's failure is the handler's problem.
    }
    return;
  }
  const handlers = all.get(type);
  if (handlers !== undefined) {
    for (const handler of handlers.slice()) {
      try {
        (handler as (event: unknown) => void)(payload);
      } catch {
        // Same: keep delivering to the other handlers.
      }
    }
  }
  const wildcards = all.get('*');
  if (wildcards !== undefined) {
    for (const handler of wildcards.slice()) {
      try {
        (handler as (type: string, event: unknown) => void)(type, payload);
      } catch {
        // Same.
      }
    }
  }
}
