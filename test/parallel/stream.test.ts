// runner.stream() at scale's edges: backpressure (a consumer that stops reading stops new
// starts once maxWorkers × 2 are started ahead of it), nothing lost once it reads again, and
// the retainOutput option that bounds what runScripts keeps.
import { describe, expect, it } from 'vitest';
import { ParallelRunner } from '../../src/index.ts';
import { PYTHON, fixture, waitFor } from './helpers.ts';

/** A mitt-like bus counting lifecycle events. */
function countingBus(): { counts: Record<string, number>; emit: (type: string) => void } {
  const counts: Record<string, number> = {};
  return { counts, emit: (type) => void (counts[type] = (counts[type] ?? 0) + 1) };
}

describe('runner.stream() backpressure', () => {
  it('a paused consumer bounds the started scripts; reading again finishes the run with every script once', async () => {
    const bus = countingBus();
    await using runner = new ParallelRunner({ python: PYTHON, maxWorkers: 2, eventBus: bus });
    const scripts = Array.from({ length: 20 }, () => fixture('pass.py'));
    const stream = runner.stream(scripts);
    const first = await stream.next();
    expect(first.value).toMatchObject({ status: 'passed' });
    // Paused: 1 taken + at most 2 × 2 started ahead of the consumer.
    await waitFor(() => bus.counts['script.finished'] === 5, 'five scripts to finish');
    await new Promise((resolve) => setImmediate(resolve));
    expect(bus.counts['script.started']).toBe(5);
    expect(bus.counts['script.finished']).toBe(5);
    const rest = [];
    for await (const result of stream) rest.push(result.status);
    expect(rest).toHaveLength(19);
    expect(new Set(rest)).toEqual(new Set(['passed']));
    expect(bus.counts['script.started']).toBe(20);
  }, 60_000);
});

describe('retainOutput', () => {
  const scripts = [fixture('pass.py'), fixture('fail.py')];

  it.each([
    ['all', true, true],
    ['failed', false, true],
    ['none', false, false],
  ] as const)(
    "'%s': passed output kept %s, failed output kept %s",
    async (retainOutput, passedKept, failedKept) => {
      await using runner = new ParallelRunner({ python: PYTHON, retainOutput });
      const { results } = await runner.runScripts(scripts);
      const [passed, failed] = results;
      expect([passed.status, failed.status]).toEqual(['passed', 'failed']);
      expect(passed.stdout !== '').toBe(passedKept);
      expect(failed.stdout + failed.stderr !== '').toBe(failedKept);
      expect(failed.error).not.toBeNull(); // the reason is kept whatever the setting
    },
    60_000,
  );

  it('per run overrides the runner; a bad value is a TypeError naming the option', async () => {
    await using runner = new ParallelRunner({ python: PYTHON, retainOutput: 'none' });
    const { results } = await runner.runScripts([fixture('pass.py')], { retainOutput: 'all' });
    expect(results[0].stdout).not.toBe('');
    await expect(runner.runScripts([fixture('pass.py')], { retainOutput: 'some' as 'all' })).rejects.toThrow(
      /runScripts options\.retainOutput: expected 'all', 'failed' or 'none'/,
    );
    expect(() => new ParallelRunner({ retainOutput: true as unknown as 'all' })).toThrow(TypeError);
  }, 60_000);
});
