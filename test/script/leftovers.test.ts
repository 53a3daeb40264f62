// A script that leaves processes running is told so in its result (leftovers: pid and
// command, the processes killed when it ended), in both start methods; failOnLeftovers makes
// such a passing script 'failed' with a plain reason, for runScript and the runners alike.
import { describe, expect, it } from 'vitest';
import { ParallelRunner, runScript } from '../../src/index.ts';
import { PYTHON, fixture, waitUntilGone } from './helpers.ts';

function leftoverPid(stdout: string): number {
  return Number(/leftover (\d+)/.exec(stdout)![1]);
}

describe.each(['spawn', 'forkserver'] as const)('leftovers (%s)', (startMethod) => {
  const base = { python: PYTHON, startMethod };

  it('names what a passing script left running, killed when it ended', async () => {
    const result = await runScript(fixture('leave_sleep.py'), base);
    expect(result.status).toBe('passed');
    const pid = leftoverPid(result.stdout);
    expect(result.leftovers).toEqual([{ pid, command: 'sleep 30' }]);
    await waitUntilGone(pid);
  });

  it("with failOnLeftovers, such a script is 'failed', saying what it left", async () => {
    const result = await runScript(fixture('leave_sleep.py'), { ...base, failOnLeftovers: true });
    expect(result).toMatchObject({ status: 'failed', exitCode: 0, error: 'left `sleep 30` behind (killed)' });
    await waitUntilGone(leftoverPid(result.stdout));
    const clean = await runScript(fixture('hello.py'), { ...base, failOnLeftovers: true });
    expect(clean.status).toBe('passed');
  });
});

describe('failOnLeftovers as a runner option', () => {
  it('fails the scripts that leave something behind, and only those', async () => {
    await using runner = new ParallelRunner({ python: PYTHON, maxWorkers: 2, failOnLeftovers: true });
    const { results } = await runner.runScripts([fixture('leave_sleep.py'), fixture('hello.py')]);
    expect(results.map((result) => [result.name, result.status, result.error])).toEqual([
      ['leave_sleep.py', 'failed', 'left `sleep 30` behind (killed)'],
      ['hello.py', 'passed', null],
    ]);
    await waitUntilGone(leftoverPid(results[0].stdout));
  });

  it('is validated like the other options', () => {
    expect(() => new ParallelRunner({ failOnLeftovers: 'yes' as unknown as boolean })).toThrow(
      'ParallelRunner options.failOnLeftovers: expected a boolean, got "yes"',
    );
    return expect(runScript(fixture('hello.py'), { failOnLeftovers: 1 as unknown as boolean })).rejects.toThrow(
      /^options\.failOnLeftovers must be a boolean \(got 1\)/,
    );
  });
});
