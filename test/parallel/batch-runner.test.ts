// BatchRunner: batches one after another over one shared pool, scripts of a batch in
// parallel, stopOnBatchFailure, and option validation.
import { afterEach, describe, expect, it } from 'vitest';
import { BatchRunner } from '../../src/index.ts';
import { PYTHON, fixture } from './helpers.ts';

const runners: BatchRunner[] = [];
function makeBatchRunner(options: ConstructorParameters<typeof BatchRunner>[0] = {}): BatchRunner {
  const runner = new BatchRunner({ python: PYTHON, ...options });
  runners.push(runner);
  return runner;
}
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
});

describe('BatchRunner.runBatches', () => {
  it('runs batches in sequence: a batch starts only after the previous one finished', async () => {
    const progress: string[] = [];
    const runner = makeBatchRunner({ maxWorkers: 2, onProgress: (name, status) => progress.push(`${name}:${status}`) });
    const results = await runner.runBatches([
      [fixture('short_sleep.py'), fixture('short_sleep.py')],
      [fixture('pass.py'), fixture('short_sleep.py')],
    ]);
    expect(results).toHaveLength(2);
    expect(results.map((r) => r.passed)).toEqual([2, 2]);
    const firstEnds = Math.max(...results[0].results.map((r) => Date.parse(r.endTime)));
    const secondStarts = Math.min(...results[1].results.map((r) => Date.parse(r.startTime)));
    expect(secondStarts).toBeGreaterThanOrEqual(firstEnds);
    expect(progress.filter((p) => p.startsWith('batch:'))).toEqual([
      'batch:started',
      'batch:completed',
      'batch:started',
      'batch:completed',
    ]);
  });

  it('stops after a failing batch by default', async () => {
    const runner = makeBatchRunner();
    const results = await runner.runBatches([[fixture('fail.py'), fixture('pass.py')], [fixture('pass.py')]]);
    expect(results).toHaveLength(1);
    expect(results[0].toJSON()).toMatchObject({ total: 2, passed: 1, failed: 1, success: false });
  });

  it('runs every batch with stopOnBatchFailure: false', async () => {
    const runner = makeBatchRunner();
    const results = await runner.runBatches([[fixture('fail.py')], [fixture('pass.py')], [fixture('pass.py')]], {
      stopOnBatchFailure: false,
      timeoutMs: 20_000,
    });
    expect(results.map((r) => r.success)).toEqual([false, true, true]);
  });

  it('refuses bad input with TypeErrors naming it', async () => {
    expect(() => new BatchRunner({ maxWorkers: -1 })).toThrow(/BatchRunner options.maxWorkers/);
    const runner = makeBatchRunner();
    await expect(runner.runBatches([fixture('pass.py')] as never)).rejects.toThrow(TypeError);
    await expect(runner.runBatches([[fixture('pass.py')]], { stopOnBatchFailure: 'no' as never })).rejects.toThrow(
      /stopOnBatchFailure: expected a boolean/,
    );
  });
});
