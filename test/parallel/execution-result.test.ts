// ExecutionResult's counting rule as a property: whatever statuses the started scripts end
// with, and however many never started, each script lands in exactly one counter.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExecutionResult } from '../../src/index.ts';
import { errorResult } from '../../src/script/script-result.ts';
import type { ScriptStatus } from '../../src/script/types.ts';

const statuses: ScriptStatus[] = ['passed', 'failed', 'timeout', 'error', 'cancelled'];

describe('ExecutionResult', () => {
  it('passed + failed + timeout + skipped === total for any outcome', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...statuses), { maxLength: 50 }), fc.nat(20), (ended, neverStarted) => {
        const results = ended.map((status) => errorResult(`/x/${status}.py`, status, status));
        const r = new ExecutionResult(ended.length + neverStarted, results, 1);
        expect(r.passed + r.failed + r.timeout + r.skipped).toBe(r.total);
        expect(r.failed).toBe(ended.filter((s) => s === 'failed' || s === 'error').length);
        expect(r.skipped).toBe(ended.filter((s) => s === 'cancelled').length + neverStarted);
        expect(r.success).toBe(r.failed === 0 && r.timeout === 0);
      }),
    );
  });

  it('toJSON has the counters, durationMs and success', () => {
    const r = new ExecutionResult(3, [errorResult('/a.py', 'x', 'timeout')], 42);
    expect(JSON.parse(JSON.stringify(r))).toEqual({
      total: 3,
      passed: 0,
      failed: 0,
      timeout: 1,
      skipped: 2,
      durationMs: 42,
      success: false,
    });
  });
});
