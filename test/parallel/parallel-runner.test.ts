// ParallelRunner end to end with real Python children: counting, ordering, configs,
// retries, progress events, eventBus, stream() and option validation.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mittImport from 'mitt';
import { afterEach, describe, expect, it } from 'vitest';
import { ParallelRunner, type ParallelEvents } from '../../src/index.ts';
import { PYTHON, fixture, isGoneSoon, makeTempDir } from './helpers.ts';

const mitt = mittImport as unknown as typeof mittImport.default;
const runners: ParallelRunner[] = [];
function makeRunner(options: ConstructorParameters<typeof ParallelRunner>[0] = {}): ParallelRunner {
  const runner = new ParallelRunner({ python: PYTHON, ...options });
  runners.push(runner);
  return runner;
}
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
});

describe('ParallelRunner.runScripts', () => {
  it('counts every status once and keeps results in input order', async () => {
    const runner = makeRunner({ maxWorkers: 3 });
    const scripts = [fixture('pass.py'), fixture('fail.py'), fixture('forever.py'), fixture('missing.py')];
    const result = await runner.runScripts(scripts, { configs: { 'forever.py': { timeoutMs: 1_000 } } });
    expect(result.total).toBe(4);
    expect(result.results.map((r) => r.status)).toEqual(['passed', 'failed', 'timeout', 'error']);
    expect(result.results.map((r) => r.name)).toEqual(['pass.py', 'fail.py', 'forever.py', 'missing.py']);
    expect([result.passed, result.failed, result.timeout, result.skipped]).toEqual([1, 2, 1, 0]);
    expect(result.passed + result.failed + result.timeout + result.skipped).toBe(result.total);
    expect(result.success).toBe(false);
    expect(result.results[1].exitCode).toBe(3);
    expect(result.results[1].stderr).toContain('boom');
    expect(result.results[2].error).toMatch(/timed out after 1000 ms/);
    expect(Object.keys(result.toJSON()).sort()).toEqual([
      'durationMs',
      'failed',
      'passed',
      'skipped',
      'success',
      'timeout',
      'total',
    ]);
    expect(await isGoneSoon(result.results[2].pid!)).toBe(true);
  });

  it('an empty list is a successful run of nothing', async () => {
    const result = await makeRunner().runScripts([]);
    expect(result.toJSON()).toMatchObject({ total: 0, passed: 0, skipped: 0, success: true });
  });

  it('starts scripts in the given order, never more than maxWorkers at once', async () => {
    const bus = mitt<ParallelEvents>();
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    bus.on('script.started', (e) => {
      started.push(e.index);
      running += 1;
      peak = Math.max(peak, running);
    });
    bus.on('script.finished', () => {
      running -= 1;
    });
    const runner = makeRunner({ maxWorkers: 2, eventBus: bus });
    const scripts = Array.from({ length: 6 }, () => fixture('short_sleep.py'));
    const result = await runner.runScripts(scripts);
    expect(result.passed).toBe(6);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('applies configs by basename, and by absolute path first', async () => {
    const runner = makeRunner({ maxWorkers: 2 });
    const script = fixture('exit_with.py');
    const byName = await runner.runScripts([script], {
      env: { MARK: 'run' },
      configs: { 'exit_with.py': { args: ['4', 'x y'], allowedExitCodes: [4], env: { MARK: 'config' } } },
    });
    expect(byName.results[0]).toMatchObject({ status: 'passed', exitCode: 4 });
    expect(byName.results[0].stdout).toContain('args=4,x y mark=config');
    const byPath = await runner.runScripts([script], {
      configs: { 'exit_with.py': { args: ['1'] }, [script]: { args: ['5'], allowedExitCodes: [5] } },
    });
    expect(byPath.results[0]).toMatchObject({ status: 'passed', exitCode: 5 });
  });

  it('keys configs by path relative to the working folder; a basename two scripts share is refused', async () => {
    const dir = makeTempDir();
    const [a, b] = ['a', 'b'].map((sub) => path.join(dir, sub, 'test_orders.py'));
    for (const file of [a, b]) {
      mkdirSync(path.dirname(file), { recursive: true });
      copyFileSync(fixture('exit_with.py'), file);
    }
    const runner = makeRunner({ maxWorkers: 2 });
    const relative = path.relative(process.cwd(), a);
    const byPath = await runner.runScripts([a, b], { configs: { [relative]: { args: ['7'], allowedExitCodes: [7] } } });
    expect(byPath.results.map((r) => [r.script, r.exitCode, r.status])).toEqual([
      [a, 7, 'passed'],
      [b, 0, 'passed'],
    ]);
    await expect(runner.runScripts([a, b], { configs: { 'test_orders.py': { args: ['1'] } } })).rejects.toThrow(
      new RegExp(`configs\\["test_orders.py"\\]: 2 scripts are named test_orders.py \\(${a}.* and ${b}`),
    );
    await expect(runner.runScripts([a, b], { configs: { 'test_orders.py': {} } })).rejects.toBeInstanceOf(TypeError);
  });

  it('retries a failed script and says how many attempts it took', async () => {
    const dir = makeTempDir();
    const runner = makeRunner({ retries: 2 });
    const env = { COUNTER_FILE: path.join(dir, 'count'), PASS_ON: '3' };
    const passed = await runner.runScripts([fixture('flaky.py')], { env });
    expect(passed.results[0]).toMatchObject({ status: 'passed', attempts: 3 });
    const counter2 = path.join(dir, 'count2');
    const failed = await runner.runScripts([fixture('flaky.py'), fixture('pass.py')], {
      env: { COUNTER_FILE: counter2, PASS_ON: '5' },
      configs: { 'flaky.py': { retries: 1 } },
    });
    expect(failed.results[0]).toMatchObject({ status: 'failed', attempts: 2 });
    expect(failed.results[1]).toMatchObject({ status: 'passed', attempts: 1 });
    expect(failed.failed).toBe(1);
  });

  it('reports progress exactly as the contract says', async () => {
    const calls: Array<[string, string, Record<string, unknown>]> = [];
    const runner = makeRunner({ maxWorkers: 1, onProgress: (...args) => calls.push(args) });
    const result = await runner.runScripts([fixture('pass.py'), fixture('fail.py')]);
    expect(calls.map(([name, status]) => `${name}:${status}`)).toEqual([
      'batch:started',
      'pass.py:submitted',
      'fail.py:submitted',
      'pass.py:passed',
      'fail.py:failed',
      'batch:completed',
    ]);
    expect(calls[0][2]).toEqual({ total: 2, workers: 1 });
    expect(calls[3][2]).toEqual({ durationMs: expect.any(Number) as unknown });
    expect(calls[5][2]).toEqual(result.toJSON());
  });

  it('emits the lifecycle on a mitt eventBus', async () => {
    const bus = mitt<ParallelEvents>();
    const seen: string[] = [];
    // script.sample comes only when the script outlives a sampling interval (a loaded machine).
    bus.on('*', (type) => type !== 'script.sample' && seen.push(String(type)));
    const result = await makeRunner({ eventBus: bus }).runScripts([fixture('pass.py')]);
    expect(result.passed).toBe(1);
    expect(seen).toEqual(['batch.started', 'script.submitted', 'script.started', 'script.finished', 'batch.completed']);
  });

  it('a throwing listener or onProgress does not disturb the run', async () => {
    const bus = mitt<ParallelEvents>();
    const completed: unknown[] = [];
    bus.on('script.finished', () => {
      throw new Error('listener bug');
    });
    bus.on('batch.completed', (counts) => completed.push(counts));
    const onProgress = (): void => {
      throw new Error('progress bug');
    };
    const result = await makeRunner({ eventBus: bus, onProgress }).runScripts([fixture('pass.py'), fixture('fail.py')]);
    expect(result.toJSON()).toMatchObject({ total: 2, passed: 1, failed: 1 });
    expect(completed).toEqual([result.toJSON()]);
  });

  it('stream() yields each result as it finishes; leaving early kills the rest', async () => {
    const runner = makeRunner({ maxWorkers: 2 });
    const statuses: string[] = [];
    for await (const r of runner.stream([fixture('fail.py'), fixture('pass.py')])) statuses.push(r.status);
    expect(statuses.sort()).toEqual(['failed', 'passed']);

    const pidDir = makeTempDir();
    const early = runner.stream([fixture('pass.py'), fixture('forever.py'), fixture('forever.py')], {
      env: { PID_DIR: pidDir },
    });
    const first = await early.next();
    expect(first.value).toMatchObject({ name: 'pass.py', status: 'passed' });
    await early.return(undefined);
    // return() resolves only after the run ended: the forever child that had started is reaped.
    for (const pid of readdirSync(pidDir).map(Number)) expect(await isGoneSoon(pid)).toBe(true);
  });
});

describe('ParallelRunner options', () => {
  it('refuses bad runner options with a TypeError naming the option', () => {
    expect(() => new ParallelRunner({ maxWorkers: 0 })).toThrow(TypeError);
    expect(() => new ParallelRunner({ maxWorkers: 0 })).toThrow(/maxWorkers: expected a positive integer, got 0/);
    expect(() => new ParallelRunner({ failFast: 'yes' as never })).toThrow(/failFast/);
    expect(() => new ParallelRunner({ defaultTimeoutMs: -5 })).toThrow(/defaultTimeoutMs/);
    expect(() => new ParallelRunner({ eventBus: {} as never })).toThrow(/eventBus: expected a mitt emitter/);
  });

  it('refuses a bad config before any script starts', async () => {
    const dir = makeTempDir();
    const marker = path.join(dir, 'ran');
    writeFileSync(path.join(dir, 'touch.py'), `open(${JSON.stringify(marker)}, "w").close()\n`);
    const progress: string[] = [];
    const runner = makeRunner({ onProgress: (name, status) => progress.push(`${name}:${status}`) });
    await expect(
      runner.runScripts([path.join(dir, 'touch.py'), fixture('pass.py')], {
        configs: { 'pass.py': { timeoutMs: -1 } },
      }),
    ).rejects.toThrow(/configs.*timeoutMs/);
    await expect(runner.runScripts('a.py' as never)).rejects.toThrow(/scripts: expected an array/);
    expect(progress).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it('a missing interpreter makes every script an error, not a crash', async () => {
    const runner = makeRunner({ python: '/nonexistent/python3' });
    const result = await runner.runScripts([fixture('pass.py'), fixture('fail.py')]);
    expect(result.failed).toBe(2);
    expect(result.results.every((r) => r.status === 'error' && /not found/.test(r.error ?? ''))).toBe(true);
  });
});
