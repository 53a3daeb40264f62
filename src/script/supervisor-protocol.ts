// Messages between a SupervisorPool (main thread) and a supervisor thread, over the
// MessagePort that travels with each task. One port per script run; closed when it ends.
import type { MessagePort } from 'node:worker_threads';
import type { ProcessInfo } from './proc-tree.ts';
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

/**
 * main -> supervisor: this many characters of output were handed to onOutput. The supervisor
 * pauses the child's pipes while too much posted output is unacknowledged, so a slow onOutput
 * slows the child down instead of queueing its output in memory without bound.
 */
export interface OutputAck {
  type: 'ack';
  chars: number;
}

/** Unacknowledged live output (characters) at which the supervisor pauses the pipes. */
export const OUTPUT_WINDOW_CHARS = 4 * 1024 * 1024;
/** The main thread acks in batches this big; smaller than the window, so a pause always ends. */
export const OUTPUT_ACK_CHARS = 1024 * 1024;

/** main -> supervisor: stop the child; the result gets this status and error text. */
export interface StopCommand {
  type: 'stop';
  status: 'cancelled' | 'failed';
  message: string;
  /**
   * Set when the main thread already snapshotted the child's tree and sent SIGTERM (it posts
   * this message first, then signals): the supervisor skips its own walk and SIGTERM and only
   * escalates to SIGKILL. Only for spawned children (the fork server kills its own).
   */
  tree?: ProcessInfo[];
}
