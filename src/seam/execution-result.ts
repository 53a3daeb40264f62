// Owns the ExecutionResult of one runScripts() call and the rule that maps a ScriptResult
// status onto its counters. Invariant: passed + failed + timeout + skipped === total, for
// every way a run can end (normal, fail-fast, cancel(), signal, close()).
import type { ScriptResult, ScriptStatus } from '../script/types.ts';

/** The counter a finished script lands in ('error' is a failure, 'cancelled' a skip). */
export type Tally = 'passed' | 'failed' | 'timeout' | 'skipped';

export function tallyStatus(status: ScriptStatus): Tally {
  switch (status) {
    case 'passed':
      return 'passed';
    case 'failed':
    case 'error':
      return 'failed';
    case 'timeout':
      return 'timeout';
    case 'cancelled':
      return 'skipped';
  }
}

/** Whether a status should trigger failFast (failed, timeout and error do; cancel does not). */
export function isFailure(status: ScriptStatus): boolean {
  return status === 'failed' || status === 'timeout' || status === 'error';
}

export interface ExecutionCounts {
  total: number;
  passed: number;
  failed: number;
  timeout: number;
  skipped: number;
  durationMs: number;
  success: boolean;
}

/** Counts finished scripts one at a time, so a streamed run keeps counters, not results. */
export class RunTally {
  passed = 0;
  failed = 0;
  timeout = 0;
  skipped = 0;
  /** scripts with a result (every status, cancelled included) */
  finished = 0;

  add(status: ScriptStatus): void {
    this[tallyStatus(status)] += 1;
    this.finished += 1;
  }

  /** The counters of a run of `total` scripts: those without a result count as skipped. */
  counts(total: number, durationMs: number): ExecutionCounts {
    const { passed, failed, timeout } = this;
    const skipped = this.skipped + total - this.finished;
    return { total, passed, failed, timeout, skipped, durationMs, success: failed === 0 && timeout === 0 };
  }
}

export class ExecutionResult {
  total: number;
  passed = 0;
  failed = 0;
  timeout = 0;
  skipped = 0;
  durationMs: number;
  /** One per script that started, in the order the scripts were given. */
  results: ScriptResult[];

  /**
   * @param total how many scripts were given
   * @param results the results of the scripts that started; every other script is skipped
   */
  constructor(total: number, results: ScriptResult[], durationMs: number) {
    this.total = total;
    this.results = results;
    this.durationMs = durationMs;
    const tally = new RunTally();
    for (const result of results) tally.add(result.status);
    // Never-started scripts have no result: they are the remainder, so the sum always holds.
    ({
      passed: this.passed,
      failed: this.failed,
      timeout: this.timeout,
      skipped: this.skipped,
    } = tally.counts(total, durationMs));
  }

  get success(): boolean {
    return this.failed === 0 && this.timeout === 0;
  }

  toJSON(): ExecutionCounts {
    return {
      total: this.total,
      passed: this.passed,
      failed: this.failed,
      timeout: this.timeout,
      skipped: this.skipped,
      durationMs: this.durationMs,
      success: this.success,
    };
  }
}
