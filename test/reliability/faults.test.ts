// Faults, proven by pid through /proc: a child ignoring SIGTERM (SIGKILL follows), setsid
// grandchildren (swept on timeout and on a normal exit), a script launcher killed
// mid-script, a function host process SIGKILLed mid-call, the parent SIGKILLed mid-batch,
// and close() during a run. Fixtures announce their pids in files; tests wait for the files.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParallelRunner, closeFunctionPool, runFunction, runScript } from '../../src/index.ts';
import { PYTHON, fixture, waitFor, waitUntilGone, watchOutput } from './helpers.ts';

const dirs: string[] = [];
function pidDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-faults-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await closeFunctionPool();
});

/** pids announced by announce_tree.py: `scripts` of them, three processes each. */
async function announcedPids(dir: string, scripts: number): Promise<{ scripts: number[]; all: number[] }> {
  await waitFor(
    () => readdirSync(dir).filter((f) => f.endsWith('.script')).length >= scripts,
    `${scripts} scripts to announce`,
  );
  const files = readdirSync(dir);
  return {
    scripts: files.filter((f) => f.endsWith('.script')).map((f) => parseInt(f, 10)),
    all: files.map((f) => parseInt(f, 10)),
  };
}

async function expectAllGone(pids: number[]): Promise<void> {
  for (const pid of pids) await waitUntilGone(pid);
}

describe('faults', () => {
  it('a child that ignores SIGTERM is SIGKILLed after the grace period, with its tree', async () => {
    const dir = pidDir();
    const result = await runScript(fixture('announce_tree.py'), {
      python: PYTHON,
      args: ['ignore-term'],
      env: { PID_DIR: dir },
      timeoutMs: 1_500,
      killGraceMs: 300,
    });
    expect(result).toMatchObject({ status: 'timeout', signal: 'SIGKILL', error: 'timed out after 1500 ms' });
    const { all } = await announcedPids(dir, 1);
    expect(all).toHaveLength(3);
    await expectAllGone(all);
  });

  it.each(['spawn', 'forkserver'] as const)(
    'a setsid grandchild left behind by a script that exits normally is swept (%s)',
    async (startMethod) => {
      const dir = pidDir();
      const script = path.join(dir, 'leave_daemon.py');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        script,
        [
          'import subprocess, sys',
          'p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"], start_new_session=True)',
          'q = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])',
          'print(p.pid, q.pid)',
        ].join('\n'),
      );
      const result = await runScript(script, { python: PYTHON, startMethod });
      expect(result.status).toBe('passed');
      for (const pid of result.stdout.trim().split(' ').map(Number)) await waitUntilGone(pid);
    },
  );

  it('a script launcher killed mid-script: the script is reported, its tree dies, none stays a zombie', async () => {
    const dir = pidDir();
    const runner = new ParallelRunner({ maxWorkers: 1, python: PYTHON });
    try {
      const run = runner.runScripts([fixture('announce_tree.py'), fixture('hello.py')], { env: { PID_DIR: dir } });
      const { scripts, all } = await announcedPids(dir, 1);
      expect(runner.launcherPids).toHaveLength(1);
      const [launcher] = runner.launcherPids;
      process.kill(launcher, 'SIGKILL');
      const result = await run;
      expect(result.total).toBe(2);
      expect(result.passed + result.failed + result.timeout + result.skipped).toBe(2);
      const lost = result.results.find((r) => r.name === 'announce_tree.py')!;
      expect(lost).toMatchObject({ status: 'error', pid: scripts[0] });
      expect(lost.error).toMatch(/^the script launcher exited unexpectedly \(killed by SIGKILL\)/);
      expect(result.results.find((r) => r.name === 'hello.py')?.status).toBe('passed');
      // The script died with the launcher's loop, the rest by pid from the main thread; the
      // launcher is the main thread's child and is reaped, the others go to init.
      await expectAllGone([...all, launcher]);
    } finally {
      await runner.close();
    }
  });

  it('a function host process SIGKILLed mid-call: the call fails, the next call works', async () => {
    const dir = pidDir();
    const marker = path.join(dir, 'host.pid');
    const module = new URL('../fixtures/functions.ts', import.meta.url);
    const call = runFunction(
      { module, export: 'writePidThenSpin' },
      { args: [marker], memoryLimitMb: 64, timeoutMs: 60_000 },
    );
    await waitFor(() => {
      try {
        return readFileSync(marker, 'utf8') !== '';
      } catch {
        return false;
      }
    }, 'the host to write its pid');
    const hostPid = Number(readFileSync(marker, 'utf8'));
    process.kill(hostPid, 'SIGKILL');
    const result = await call;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/SIGKILL/);
    await waitUntilGone(hostPid);
    const next = await runFunction({ module, export: 'add' }, { args: [2, 3], memoryLimitMb: 64 });
    expect(next).toMatchObject({ status: 'passed', result: 5 });
  });

  it('the parent SIGKILLed mid-batch: no child or grandchild survives', async () => {
    const dir = pidDir();
    const driver = spawn(process.execPath, ['--import', 'tsx', fixture('drive-parallel-runner.mts'), '8', '2'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PID_DIR: dir },
    });
    try {
      const { all } = await announcedPids(dir, 2);
      expect(all.length).toBeGreaterThanOrEqual(6);
      driver.kill('SIGKILL');
      await expectAllGone(all);
      // Nothing queued started after the parent died.
      await expectAllGone(readdirSync(dir).map((f) => parseInt(f, 10)));
      expect(readdirSync(dir).filter((f) => f.endsWith('.script')).length).toBe(2);
    } finally {
      driver.kill('SIGKILL');
    }
  });

  it('close() during a run: running scripts are killed, queued ones skipped, all counted', async () => {
    const dir = pidDir();
    const runner = new ParallelRunner({ maxWorkers: 3, python: PYTHON });
    const run = runner.runScripts(
      Array.from({ length: 9 }, () => fixture('announce_tree.py')),
      { env: { PID_DIR: dir } },
    );
    const { all } = await announcedPids(dir, 3);
    await runner.close();
    const result = await run;
    expect(result).toMatchObject({ total: 9, passed: 0, failed: 0, timeout: 0, skipped: 9 });
    expect(result.results.filter((r) => r.status === 'cancelled')).toHaveLength(3);
    for (const r of result.results) expect(r.error).toMatch(/closed/);
    await expectAllGone(all);
    expect(readdirSync(dir).filter((f) => f.endsWith('.script'))).toHaveLength(3);
    await expect(runner.runScripts([fixture('hello.py')])).rejects.toThrow(/closed/);
  });

  it('runScript: SIGTERM-ignoring child cancelled by its signal is gone when the promise settles', async () => {
    const { onOutput, matched } = watchOutput(/started (\d+)/);
    const controller = new AbortController();
    const running = runScript(fixture('ignore_term.py'), {
      python: PYTHON,
      signal: controller.signal,
      onOutput,
      killGraceMs: 200,
    });
    const pid = Number((await matched)[1]);
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ status: 'cancelled', signal: 'SIGKILL', pid });
    await waitUntilGone(pid);
  });
});
