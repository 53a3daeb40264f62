// Public types of runFunction (docs/API.md, "Functions in isolated threads"), plus the
// wire format between the caller and a function host (a pool thread or a child process).
// Options are validated once at the boundary (validate-options.ts); a CallRequest is trusted.
import type { ErgateLogger } from '../internal/logger.ts';

/** A module export to run: a path (relative to process.cwd()) or a file URL. */
export interface FunctionRef {
  module: string | URL;
  /** @default 'default' */
  export?: string;
}

export interface RunFunctionOptions {
  /** Arguments, structured-cloneable. @default [] */
  args?: unknown[];
  /** The thread (or process) running the call is terminated on expiry. @default 60_000 */
  timeoutMs?: number;
  /**
   * Heap limit in MiB. Such calls run in a child process started with --max-old-space-size,
   * so running out of memory gives 'failed' and never harms the caller's process.
   */
  memoryLimitMb?: number;
  /** Abort terminates the thread (or process) running the call; status 'cancelled'. */
  signal?: AbortSignal;
  /** @default the function's name, else the export name, else 'anonymous' */
  name?: string;
  /**
   * Inside a task or job the call is bound to its scope (aborting the scope stops it,
   * status 'cancelled'); true opts out, for work meant to outlive the task. @default false
   */
  detached?: boolean;
  /**
   * 'reused': the call runs on a pooled thread (or host process) that ran calls before, so
   * module state and globalThis persist between calls. 'fresh': a new isolate for this call
   * alone, ended afterwards (costs a thread start, ~30-50 ms). @default 'reused'
   */
  isolate?: 'reused' | 'fresh';
  /** Calls that do not pass are logged here (pino-compatible). @default debuglog('ergate') */
  logger?: ErgateLogger;
}

export type FunctionStatus = 'passed' | 'failed' | 'timeout' | 'error' | 'cancelled';

export interface FunctionResult<R> {
  /** options.name, else the function's name, else 'anonymous' */
  name: string;
  type: 'function';
  /** failed: threw or ran out of memory · error: could not be run (bad module, uncloneable data) */
  status: FunctionStatus;
  result: R | null;
  /** plain-language reason whenever status !== 'passed' */
  error: string | null;
  /** constructor name of what the function threw (e.g. 'TypeError'), else null */
  errorType: string | null;
  /** stack of what the function threw, when it was an Error */
  stack: string | null;
  /** 'thread' or 'process' (memory-limited calls), for diagnostics */
  isolation: 'thread' | 'process';
  startTime: string;
  endTime: string;
  durationMs: number;
}

/** What the host runs: source text compiled in the host, or a module export (file URL). */
export type CallTarget = { kind: 'source'; source: string } | { kind: 'module'; url: string; exportName: string };

export interface CallRequest {
  target: CallTarget;
  args: unknown[];
}

/** What a host sends back. 'threw': the function threw · 'unrunnable': it could not be run. */
export type CallOutcome =
  | { kind: 'returned'; value: unknown }
  | { kind: 'threw'; message: string; errorType: string | null; stack: string | null }
  | { kind: 'unrunnable'; message: string };

/** How a dispatched call ended, before runFunction turns it into a FunctionResult. */
export type CallEnding =
  /** the host ran it (it returned, threw, or could not be run) */
  | { kind: 'outcome'; outcome: CallOutcome }
  /** stopped by its timeout or signal; runFunction knows which */
  | { kind: 'aborted' }
  /** the thread or process running it died; outOfMemory when the heap limit killed it */
  | { kind: 'host-died'; message: string; outOfMemory: boolean }
  /** no host could be started (crash-loop breaker open, pool closed) */
  | { kind: 'unavailable'; message: string }
  /** the pool was closed before or while it ran */
  | { kind: 'closed' };
