// The launcher itself, in both start methods: one thread, a failed fork is a clear error, a
// bad preload or interpreter is a plain 'error' result, and SIGKILL of the Node parent leaves
// no launcher, script or grandchild behind.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { Launcher } from '../../src/script/launcher/launcher.ts';
import { superviseRun } from '../../src/script/supervise-run.ts';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import type { ScriptSpec } from '../../src/script/types.ts';
import { fixture, specFor as baseSpec, waitUntilGone } from './helpers.ts';

const NOBODY = 65534;

describe.each(['spawn', 'forkserver'] as const)('launcher robustness (%s)', (startMethod) => {
  const pool = new SupervisorPool({ size: 1 });
  afterAll(() => pool.close());
  const specFor = (name: string, overrides: Partial<ScriptSpec> = {}) => baseSpec(name, { startMethod, ...overrides });

  it('runs with a single thread, before and after serving scripts', async () => {
    const preload = startMethod === 'forkserver' ? ['asyncio', 'decimal'] : [];
    expect((await pool.run(specFor('finalise.py', { preload }))).status).toBe('passed');
    const [launcher] = pool.launcherPids;
    const threads = () => /^Threads:\s+(\d+)$/m.exec(readFileSync(`/proc/${launcher}/status`, 'utf8'))![1];
    expect(threads()).toBe('1');
    for (let i = 0; i < 3; i++) expect((await pool.run(specFor('finalise.py', { preload }))).status).toBe('passed');
    expect(pool.launcherPids).toEqual([launcher]);
    expect(threads()).toBe('1');
  });

  it('reports an interpreter that does not exist as a plain error result', async () => {
    const result = await pool.run(specFor('exit-with.py', { python: '/no/such/python3' }));
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/^could not start the script launcher with \/no\/such\/python3/);
  });

  it('reports a fork that fails with EAGAIN as error and keeps serving', async () => {
    // Root ignores RLIMIT_NPROC, so the launcher runs as nobody, with its process count capped at 1.
    expect(process.getuid?.()).toBe(0);
    const mode = startMethod === 'forkserver' ? 'fork' : 'exec';
    await using launcher = await Launcher.start({
      python: fixture('nproc-limited-python.sh'),
      mode,
      uid: NOBODY,
      gid: NOBODY,
      cwd: '/',
      env: {},
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await superviseRun(launcher, specFor('exit-with.py', { args: ['0'], cwd: '/' }), {}, Date.now())
        .result;
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/^fork failed \(EAGAIN\): Resource temporarily unavailable/);
    }
    expect(launcher.alive).toBe(true);
  });

  it('leaves no launcher, script or grandchild when the Node parent is SIGKILLed', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture('hold-server.ts'), startMethod], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: parent.stdout });
    const firstLine = await new Promise<string>((resolve) => lines.once('line', resolve));
    const pids = JSON.parse(firstLine) as { server: number; child: number; grandchild: number };
    expect(pids.server).toBeGreaterThan(1);
    parent.kill('SIGKILL');
    await waitUntilGone([parent.pid!, pids.server, pids.child, pids.grandchild]);
  });
});

describe('fork server preloads', () => {
  const pool = new SupervisorPool({ size: 1 });
  afterAll(() => pool.close());

  it('a preload that cannot be imported is an error result naming the module', async () => {
    const result = await pool.run(baseSpec('exit-with.py', { preload: ['no_such_module_for_ergate'] }));
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/preload of 'no_such_module_for_ergate' failed: ModuleNotFoundError/);
  });

  it('a different preload list gets a launcher started with it', async () => {
    expect((await pool.run(baseSpec('exit-with.py', { args: ['0'] }))).status).toBe('passed');
    const [first] = pool.launcherPids;
    expect((await pool.run(baseSpec('exit-with.py', { args: ['0'], preload: ['json'] }))).status).toBe('passed');
    expect(pool.launcherPids).toHaveLength(1);
    expect(pool.launcherPids[0]).not.toBe(first);
    await waitUntilGone([first]);
  });
});
