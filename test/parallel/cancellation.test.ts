// Fail-fast, cancel(), signal and close(): queued scripts never start, running ones are
// killed and reaped before runScripts resolves, and every script is counted exactly once.
// Also: a script launcher that dies mid-script, and an idle runner's effect on exit.
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParallelRunner, type ExecutionResult } from '../../src/index.ts';
import { PYTHON, fixture, isGoneSoon, makeTempDir, processState, waitFor, waitForPids } from './helpers.ts';

const runners: ParallelRunner[] = [];
function makeRunner(options: ConstructorParameters<typeof ParallelRunner>[0] = {}): ParallelRunner {
  const runner = new ParallelRunner({ python: PYTHON, ...options });
  runners.push(runner);
  return runner;
}
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
});

function expectCountedOnce(result: ExecutionResult): void {
  expect(result.passed + result.failed + result.timeout + result.skipped).toBe(result.total);
}

/** Every pid announced in dir was reaped by the time the run resolved. */
async function expectAllReaped(pids: number[]): Promise<void> {
  for (const pid of pids) {
    // Right after the run resolves the child must already be dead (not running/sleeping).
    expect(['R', 'S', 'D', 'T'].includes(processState(pid) ?? 'gone')).toBe(false);
    expect(await isGoneSoon(pid)).toBe(true);
  }
}

describe('stopping a run', () => {
  it('failFast: the first failure kills running scripts and skips queued ones', async () => {
    const pidDir = makeTempDir();
    const runner = makeRunner({ maxWorkers: 3, failFast: true });
    const forever = fixture('forever.py');
    const fail = path.join(makeTempDir(), 'fails_late.py');
    // Fails only once both forever children are running, so the kill path is exercised.
    writeFileSync(
      fail,
      `import os, sys, time\nwhile len(os.listdir(${JSON.stringify(pidDir)})) < 2:\n    time.sleep(0.01)\nsys.exit(1)\n`,
    );
    const result = await runner.runScripts([forever, forever, fail, forever, forever], { env: { PID_DIR: pidDir } });
    expectCountedOnce(result);
    expect(result.total).toBe(5);
    expect(result.failed).toBe(1);
    expect(result.skipped).toBe(4);
    expect(result.results.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'failed']);
    expect(result.results[0].error).toMatch(/^cancelled: fail-fast after 'fails_late.py' failed$/);
    const pids = readdirSync(pidDir).map(Number);
    expect(pids).toHaveLength(2); // the queued forever scripts never started
    await expectAllReaped(pids);
  });

  it('cancel(): running scripts are killed, queued ones never start', async () => {
    const pidDir = makeTempDir();
    const runner = makeRunner({ maxWorkers: 2 });
    const run = runner.runScripts(
      Array.from({ length: 5 }, () => fixture('forever.py')),
      { env: { PID_DIR: pidDir } },
    );
    const pids = await waitForPids(pidDir, 2);
    runner.cancel();
    const result = await run;
    expectCountedOnce(result);
    expect(result.skipped).toBe(5);
    expect(result.results.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    await expectAllReaped(pids);
    // The runner stays usable after a cancel.
    expect((await runner.runScripts([fixture('pass.py')])).passed).toBe(1);
  });

  it('signal: aborting kills the run; an already-aborted signal starts nothing', async () => {
    const pidDir = makeTempDir();
    const runner = makeRunner({ maxWorkers: 2 });
    const controller = new AbortController();
    const run = runner.runScripts([fixture('forever.py'), fixture('forever.py'), fixture('pass.py')], {
      env: { PID_DIR: pidDir },
      signal: controller.signal,
    });
    const pids = await waitForPids(pidDir, 2);
    controller.abort(new Error('user pressed stop'));
    const result = await run;
    expect(result.toJSON()).toMatchObject({ total: 3, skipped: 3, success: true });
    expect(result.results[0].error).toMatch(/user pressed stop/);
    await expectAllReaped(pids);

    const idle = await runner.runScripts([fixture('pass.py')], { signal: AbortSignal.abort() });
    expect(idle.toJSON()).toMatchObject({ total: 1, skipped: 1 });
    expect(idle.results).toEqual([]);
  });

  it('close() mid-run resolves the run with every script counted, then refuses new runs', async () => {
    const pidDir = makeTempDir();
    const runner = makeRunner({ maxWorkers: 2 });
    const run = runner.runScripts([fixture('forever.py'), fixture('forever.py'), fixture('pass.py')], {
      env: { PID_DIR: pidDir },
    });
    const pids = await waitForPids(pidDir, 2);
    await runner.close();
    const result = await run;
    expectCountedOnce(result);
    expect(result.skipped).toBe(3);
    await expectAllReaped(pids);
    await expect(runner.runScripts([fixture('pass.py')])).rejects.toThrow(/closed/);
  });

  it('await using disposes the runner', async () => {
    let outer: ParallelRunner;
    {
      await using runner = new ParallelRunner({ python: PYTHON });
      outer = runner;
      expect((await runner.runScripts([fixture('pass.py')])).passed).toBe(1);
    }
    await expect(outer.runScripts([fixture('pass.py')])).rejects.toThrow(/closed/);
  });
});

describe('script launcher death', () => {
  it('reports the script as error, kills its child, and the next script runs on a new launcher', async () => {
    const pidDir = makeTempDir();
    const runner = makeRunner({ maxWorkers: 1 });
    const run = runner.runScripts([fixture('forever.py'), fixture('pass.py')], { env: { PID_DIR: pidDir } });
    const [pid] = await waitForPids(pidDir, 1);
    expect(runner.launcherPids).toHaveLength(1);
    const [launcher] = runner.launcherPids;
    process.kill(launcher, 'SIGKILL');
    const result = await run;
    expectCountedOnce(result);
    expect(result.results[0].status).toBe('error');
    expect(result.results[0].error).toMatch(/^the script launcher exited unexpectedly/);
    expect(result.results[1].status).toBe('passed');
    expect(runner.launcherPids).toHaveLength(1);
    expect(runner.launcherPids[0]).not.toBe(launcher);
    // The child dies with the launcher's loop and is reaped by init: no zombie stays.
    await waitFor(() => processState(pid) === null, `pid ${pid} to be gone`);
  });
});

describe('idle runner', () => {
  it('does not keep the process alive after a run, without close()', async () => {
    const dir = makeTempDir();
    const entry = path.join(dir, 'idle-runner.mts');
    writeFileSync(
      entry,
      `import { ParallelRunner } from ${JSON.stringify(path.resolve('src/index.ts'))};\n` +
        `const runner = new ParallelRunner({ python: ${JSON.stringify(PYTHON)} });\n` +
        `const result = await runner.runScripts([${JSON.stringify(fixture('pass.py'))}]);\n` +
        `console.log('passed=' + result.passed);\n`,
    );
    // No close(): the process must still exit by itself once the run is over.
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = await new Promise<number | null>((resolve) => {
      const guard = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 25_000);
      child.on('exit', (code) => {
        clearTimeout(guard);
        resolve(code);
      });
    });
    expect(stdout).toContain('passed=1');
    expect(exited).toBe(0);
  });
});

describe('cancel right after the call', () => {
  it('cancel() or close() issued synchronously after runScripts() starts nothing', async () => {
    const pidDir = makeTempDir();
    const runner = makeRunner({ maxWorkers: 2 });
    const cancelled = runner.runScripts([fixture('forever.py'), fixture('forever.py')], { env: { PID_DIR: pidDir } });
    runner.cancel();
    expect((await cancelled).toJSON()).toMatchObject({ total: 2, skipped: 2 });
    const closed = runner.runScripts([fixture('forever.py')], { env: { PID_DIR: pidDir } });
    await runner.close();
    expect((await closed).toJSON()).toMatchObject({ total: 1, skipped: 1 });
    expect(readdirSync(pidDir)).toEqual([]);
    expect(runner.launcherPids).toEqual([]);
  });
});
