// Messages between a SupervisorPool (main thread) and a supervisor thread, over the
// MessagePort that travels with each task. One port per script run; closed when it ends.
import type { MessagePort } from 'node:worker_threads';
import type { ScriptSpec } from './types.ts';

/** The piscina task: the resolved spec plus the run's private port. */
export interface SupervisorTask {
  spec: ScriptSpec;
  port: MessagePort;
}

/** supervisor -> main */
export type SupervisorEvent =
  | { type: 'started'; pid: number }
  | { type: 'output'; stream: 'stdout' | 'stderr'; chunk: string }
  /** last message of a run: every output chunk was posted before it */
  | { type: 'done' };

/** main -> supervisor: stop the child; the result gets this status and error text. */
export interface StopCommand {
  type: 'stop';
  status: 'cancelled';
  message: string;
}
