// No orphans: when the Node process (or its whole process group) dies by SIGKILL, or a
// script launcher is killed mid-script, the Python child and its grandchildren (in its group or escaped with setsid)
// die too. Proven by pid through /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePython } from '../../src/script/python.ts';
import { resolveScriptSpec } from '../../src/script/resolve-spec.ts';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import { parseRunScriptOptions } from '../../src/script/validate-options.ts';
import { PYTHON, fixture, processState, waitUntilGone, watchOutput } from './helpers.ts';

describe.each(['spawn', 'forkserver'] as const)('no orphans (%s)', (startMethod) => {
  /** Starts the driver (a Node process running a script with grandchildren), kills it with `kill`, and proves every pid gone. */
  async function killDriver(kill: (driver: ChildProcess) => void, detached: boolean): Promise<void> {
    const driver = spawn(process.execPath, ['--import', 'tsx', fixture('driver-runs-grandchildren.mts'), startMethod], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached,
    });
    const lines = createInterface({ input: driver.stdout });
    try {
      const pids = await new Promise<number[]>((resolve, reject) => {
        lines.on('line', (line) => {
          if (line.startsWith('pids ')) resolve(line.slice(5).split(' ').map(Number));
        });
        driver.once('exit', (code) => reject(new Error(`driver exited early with ${code}`)));
      });
      expect(pids).toHaveLength(4);
      for (const pid of pids) expect(processState(pid)).not.toBeNull();
      kill(driver);
      for (const pid of pids) await waitUntilGone(pid);
    } finally {
      driver.kill('SIGKILL'); // a failed assertion must not leave the driver running
    }
  }

  it('kills children and grandchildren when the Node process is SIGKILLed', async () => {
    await killDriver((driver) => driver.kill('SIGKILL'), false);
  });

  it("kills children and grandchildren when Node's whole process group is SIGKILLed", async () => {
    // A group kill (a CI runner's timeout, say) reaches Node and nothing below it at once:
    // each launcher leads a group of its own, so it outlives Node and kills the trees.
    await killDriver((driver) => process.kill(-driver.pid!, 'SIGKILL'), true);
  });

  describe('a launcher killed mid-script', () => {
    const pool = new SupervisorPool({ size: 1 });
    afterAll(() => pool.close());

    it("reports 'error', kills the child's tree, reaps the launcher and starts a new one", async () => {
      const python = await resolvePython(PYTHON);
      const { onOutput, matched } = watchOutput(/started (\d+) (\d+)\n/);
      const spec = resolveScriptSpec(
        fixture('grandchild.py'),
        parseRunScriptOptions({ startMethod, onOutput }),
        python,
      );
      const running = pool.run(spec, { onOutput });
      const [, pid, grandchild] = await matched;
      expect(pool.launcherPids).toHaveLength(1);
      const [launcher] = pool.launcherPids;
      process.kill(launcher, 'SIGKILL');
      const result = await running;
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/^the script launcher exited unexpectedly \(killed by SIGKILL\)/);
      expect(result.pid).toBe(Number(pid));
      // The script dies with the launcher (its loop, or its PR_SET_PDEATHSIG in forkserver
      // mode), its group by pid from here; none stays a zombie: the launcher is this
      // thread's child, the rest go to init.
      await waitUntilGone(Number(grandchild));
      await waitUntilGone(Number(pid));
      await waitUntilGone(launcher);
      const next = await pool.run(
        resolveScriptSpec(fixture('hello.py'), parseRunScriptOptions({ startMethod }), python),
      );
      expect(next.status).toBe('passed');
      expect(pool.launcherPids).toHaveLength(1);
      expect(pool.launcherPids[0]).not.toBe(launcher);
    });
  });
});
