// No orphans: when the Node process dies by SIGKILL, or a supervisor thread is terminated
// mid-script, the Python child and its grandchildren (in its group or escaped with setsid)
// die too. Proven by pid through /proc.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePython } from '../../src/script/python.ts';
import { resolveScriptSpec } from '../../src/script/resolve-spec.ts';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import { parseRunScriptOptions } from '../../src/script/validate-options.ts';
import { PYTHON, fixture, processState, waitUntilGone, watchOutput } from './helpers.ts';

describe.each(['spawn', 'forkserver'] as const)('no orphans (%s)', (startMethod) => {
  it('kills children and grandchildren when the Node process is SIGKILLed', async () => {
    const driver = spawn(process.execPath, ['--import', 'tsx', fixture('driver-runs-grandchildren.mts'), startMethod], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: driver.stdout! });
    try {
    const pids = await new Promise<number[]>((resolve, reject) => {
      lines.on('line', (line) => {
        if (line.startsWith('pids ')) resolve(line.slice(5).split(' ').map(Number));
      });
      driver.once('exit', (code) => reject(new Error(`driver exited early with ${code}`)));
    });
    expect(pids).toHaveLength(4);
    for (const pid of pids) expect(processState(pid)).not.toBeNull();
    driver.kill('SIGKILL');
    for (const pid of pids) await waitUntilGone(pid);
    } finally {
      driver.kill('SIGKILL'); // a failed assertion must not leave the driver running
    }
  });

  // Fork servers are driven from the main thread, spawned children from supervisor threads:
  // what can die under a script differs, so each mode gets its own case (no skipped tests).
  if (startMethod === 'forkserver') describe('a fork server killed mid-script', () => {
    const pool = new SupervisorPool({ size: 1 });
    afterAll(() => pool.close());

    it("reports 'error', kills the child's tree, reaps it and starts a new server", async () => {
      const python = await resolvePython(PYTHON);
      const { onOutput, matched } = watchOutput(/started (\d+) (\d+)\n/);
      const spec = resolveScriptSpec(fixture('grandchild.py'), parseRunScriptOptions({ startMethod, onOutput }), python);
      const running = pool.run(spec, { onOutput });
      const [, pid, grandchild] = await matched;
      expect(pool.threads).toHaveLength(0);
      const [server] = pool.forkServerPids;
      expect(pool.forkServerPids).toHaveLength(1);
      process.kill(server!, 'SIGKILL');
      const result = await running;
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/^fork server exited unexpectedly \(killed by SIGKILL\)/);
      expect(result.pid).toBe(Number(pid));
      await waitUntilGone(Number(grandchild));
      await waitUntilGone(Number(pid));
      // The main thread is the server's parent: it is reaped, not left a zombie.
      await waitUntilGone(server!);
      const next = await pool.run(resolveScriptSpec(fixture('hello.py'), parseRunScriptOptions({ startMethod }), python));
      expect(next.status).toBe('passed');
      expect(pool.forkServerPids).toHaveLength(1);
      expect(pool.forkServerPids[0]).not.toBe(server);
    });
  });

  else describe('a supervisor thread terminated mid-script', () => {
    const pool = new SupervisorPool({ size: 1 });
    afterAll(() => pool.close());

    it("reports 'error', kills the child's tree and replaces the thread", async () => {
      const python = await resolvePython(PYTHON);
      const { onOutput, matched } = watchOutput(/started (\d+) (\d+)\n/);
      const spec = resolveScriptSpec(fixture('grandchild.py'), parseRunScriptOptions({ startMethod, onOutput }), python);
      const running = pool.run(spec, { onOutput });
      const [, pid, grandchild] = await matched;
      expect(pool.threads).toHaveLength(1);
      await pool.threads[0].terminate();
      const result = await running;
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/supervisor thread died/);
      expect(result.pid).toBe(Number(pid));
      await waitUntilGone(Number(grandchild));
      // Dead. Known limit: its zombie stays until Node exits, since only the terminated
      // thread's event loop could have reaped it (it holds a pid slot, nothing else).
      expect(['Z', null]).toContain(processState(Number(pid)));
      const next = await pool.run(resolveScriptSpec(fixture('hello.py'), parseRunScriptOptions({ startMethod }), python));
      expect(next.status).toBe('passed');
    });
  });
});
