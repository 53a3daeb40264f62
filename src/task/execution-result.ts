// The outcome of one AsyncParallelRunner.run(): one AsyncTaskResult per input task, in
// input order, and the counters. Invariant: passed + failed + cancelled === total, and
// results.length === total (a task that never started is recorded as cancelled).

import { randomUUID } from 'node:crypto';

/** How a task ended. 'cancelled' covers aborted while running and never started. */
export type AsyncTaskStatus = 'passed' | 'failed' | 'cancelled';

export interface AsyncTaskResult {
  name: string;
  success: boolean;
  /** The resolved value; null unless the task passed. */
  value: unknown;
  /** Plain-language reason whenever success is false. */
  error: string | null;
  /** The error's name (e.g. 'TypeError'); 'AbortError' when cancelled. */
  errorType: string | null;
  durationMs: number;
  /** Added to the contract: tells a failure from a cancellation without parsing error. */
  status: AsyncTaskStatus;
}

export class AsyncExecutionResult {
  batchId: string = randomUUID();
  total: number;
  passed = 0;
  failed = 0;
  cancelled = 0;
  durationMs = 0;
  results: AsyncTaskResult[];

  constructor(results: AsyncTaskResult[]) {
    this.results = results;
    this.total = results.length;
  }

  get success(): boolean {
    return this.failed === 0 && this.cancelled === 0;
  }

  toJSON(): object {
    return {
      batchId: this.batchId,
      total: this.total,
      passed: this.passed,
      failed: this.failed,
      cancelled: this.cancelled,
      durationMs: this.durationMs,
      success: this.success,
      results: this.results,
    };
  }
}

/** Error name and plain message of anything a task threw (it need not be an Error). */
export function describeError(error: unknown): { message: string; type: string } {
  if (error instanceof Error) return { message: error.message || error.name, type: error.name };
  if (typeof error === 'object' && error !== null) {
    const { message, name } = error as { message?: unknown; name?: unknown };
    if (typeof message === 'string') return { message, type: typeof name === 'string' ? name : 'Error' };
  }
  return { message: String(error), type: typeof error === 'string' ? 'Error' : typeof error };
}
