// A script must look to itself and to its caller as if run by `python script.py`, in both
// start methods: a fork of the warm launcher as much as a fresh exec.
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { diffEnvironment } from '../../src/script/launcher/launcher.ts';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import type { ScriptSpec } from '../../src/script/types.ts';
import { PYTHON, fixture, fixturesDir, specFor as baseSpec } from './helpers.ts';

/** What plain python prints and exits with for the same fixture: the reference. */
function runPlain(name: string, args: string[] = []): { code: number | null; signal: string | null; stderr: string } {
  try {
    execFileSync(PYTHON, [fixture(name), ...args], { cwd: fixturesDir, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, signal: null, stderr: '' };
  } catch (error) {
    const failure = error as { status: number | null; signal: string | null; stderr: Buffer };
    return { code: failure.status, signal: failure.signal, stderr: failure.stderr.toString() };
  }
}

describe.each(['spawn', 'forkserver'] as const)('fidelity (%s)', (startMethod) => {
  const server = new SupervisorPool({ size: 2 });
  afterAll(() => server.close());
  const specFor = (name: string, overrides: Partial<ScriptSpec> = {}) => baseSpec(name, { startMethod, ...overrides });

  it('gives the script its argv, __file__, __name__, sys.path[0], cwd, env and a group of its own', async () => {
    const result = await server.run(
      specFor('fidelity.py', { args: ['two words', '--flag', ''], cwd: '/tmp', env: { ERGATE_FIXTURE_VALUE: 'é ok' } }),
    );
    expect(result.status).toBe('passed');
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(seen.argv).toEqual([fixture('fidelity.py'), 'two words', '--flag', '']);
    expect(seen.file).toBe(fixture('fidelity.py'));
    expect(seen.name).toBe('__main__');
    expect(seen.mainIsSelf).toBe(true);
    expect(seen.path0).toBe(fixturesDir);
    expect(seen.cwd).toBe('/tmp');
    expect(seen.env).toBe('é ok');
    expect(seen.pid).toBe(result.pid);
    expect(seen.pgid).toBe(result.pid);
    expect(seen.threads).toBe(1);
    expect(seen.stdinIsDevNull).toBe(true);
    // 0-2 plus the directory listing itself: nothing of the server's leaks into the script.
    expect(seen.openFds).toEqual([0, 1, 2, 3]);
    expect(result.peakRssKb).toBeGreaterThan(1_000);
    expect(result.cpuTimeMs).toBeGreaterThanOrEqual(0);
  });

  it('sends each script only the changes to the server environment', () => {
    const base = { PATH: '/bin', HOME: '/root', GONE: 'x' };
    expect(diffEnvironment(base, { PATH: '/bin', HOME: '/root', GONE: 'x' })).toEqual({ envSet: {}, envUnset: [] });
    expect(diffEnvironment(base, { PATH: '/usr/bin', HOME: '/root', NEW: '' })).toEqual({
      envSet: { PATH: '/usr/bin', NEW: '' },
      envUnset: ['GONE'],
    });
  });

  it("gives the script python's own environment for its env: a preload's edits are gone", async () => {
    // The reference is plain python with the same env (it may add variables itself, e.g.
    // LC_CTYPE through PEP 538 locale coercion when no locale is set).
    const plainEnv = (env: Record<string, string>) =>
      JSON.parse(execFileSync(PYTHON, [fixture('env-dump.py')], { env, encoding: 'utf8' })) as Record<string, string>;
    const first = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PYTHONPATH: fixturesDir,
      ERGATE_SERVER_VALUE: 'server',
      ERGATE_SERVER_GONE: 'here',
    };
    // Every child also gets ergate's own $ERGATE_JUNIT_XML (where it may write test results).
    const scriptEnv = (stdout: string) => {
      const { ERGATE_JUNIT_XML: junitXml, ...rest } = JSON.parse(stdout) as Record<string, string>;
      expect(junitXml).toMatch(/\.xml$/);
      return rest;
    };
    const result = await server.run(
      specFor('env-dump.py', { env: first, preload: startMethod === 'forkserver' ? ['env_preload'] : [] }),
    );
    expect(scriptEnv(result.stdout)).toEqual(plainEnv(first));
    expect(JSON.parse(result.stdout)).not.toHaveProperty('ERGATE_PRELOAD_SET');
    // More variables: the same warm launcher serves it; a changed one needs another launcher.
    const other = { ...first, ERGATE_NEW: 'new é' };
    const second = await server.run(
      specFor('env-dump.py', { env: other, preload: startMethod === 'forkserver' ? ['env_preload'] : [] }),
    );
    expect(scriptEnv(second.stdout)).toEqual(plainEnv(other));
    const changed = { PATH: first.PATH, PYTHONPATH: fixturesDir, ERGATE_SERVER_VALUE: 'script' };
    const third = await server.run(
      specFor('env-dump.py', { env: changed, preload: startMethod === 'forkserver' ? ['env_preload'] : [] }),
    );
    expect(scriptEnv(third.stdout)).toEqual(plainEnv(changed));
  });

  it.each([['0'], ['3'], ['255'], ['256'], ['-1'], ['none'], ['a message']])(
    'exits like python for sys.exit(%s)',
    async (value) => {
      const reference = runPlain('exit-with.py', [value]);
      const result = await server.run(specFor('exit-with.py', { args: [value] }));
      expect(result.exitCode).toBe(reference.code);
      expect(result.stderr).toBe(reference.stderr);
      expect(result.status).toBe(reference.code === 0 ? 'passed' : 'failed');
    },
  );

  it("prints a compile-time SyntaxWarning on the script's stderr, as python does", async () => {
    const reference = spawnSync(PYTHON, [fixture('compile-warning.py')], { cwd: fixturesDir, encoding: 'utf8' });
    const result = await server.run(specFor('compile-warning.py'));
    expect(result.status).toBe('passed');
    expect(result.stdout).toBe(reference.stdout);
    expect(result.stderr).toContain('SyntaxWarning: assertion is always true');
    expect(result.stderr).toBe(reference.stderr);
  });

  it.each([['raise-error.py'], ['syntax-error.py']])('prints the same traceback as python for %s', async (name) => {
    const reference = runPlain(name);
    const result = await server.run(specFor(name));
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(1);
    expect(result.error).toMatch(/^exited with code 1 \(expected 0\)/);
    expect(result.stderr).toBe(reference.stderr);
    expect(result.stderr).not.toContain('python/launcher.py');
  });

  it('ends through SIGINT after an uncaught KeyboardInterrupt, as python does', async () => {
    const reference = runPlain('keyboard-interrupt.py');
    const result = await server.run(specFor('keyboard-interrupt.py'));
    expect(reference.signal).toBe('SIGINT');
    expect(result.signal).toBe('SIGINT');
    expect(result.status).toBe('failed');
    expect(result.stderr).toBe(reference.stderr);
  });

  it('joins threads, runs atexit callbacks and flushes output before exiting', async () => {
    const result = await server.run(specFor('finalise.py'));
    expect(result.status).toBe('passed');
    expect(result.stdout).toBe('written before exit\nthread finished\natexit ran\n');
  });

  it('starts each script with only the preloaded modules, not the server own imports', async () => {
    const probe = ['json', 'select', 'ctypes', 'struct', 'decimal'];
    const plain = await server.run(specFor('modules.py', { args: probe }));
    expect(plain.stdout.trim()).toBe('');
    // Preloads are the fork server's: a spawned script starts as bare as python.
    const result = await server.run(specFor('modules.py', { args: probe, preload: ['decimal', 'json'] }));
    expect(result.stdout.trim().split(' ').sort()).toEqual(startMethod === 'forkserver' ? ['decimal', 'json'] : ['']);
  });

  it('leaks no state from one script to the next', async () => {
    const first = await server.run(specFor('leave-state.py'));
    const second = await server.run(specFor('leave-state.py'));
    expect(first.stdout).toBe('None False False\n');
    expect(second.stdout).toBe('None False False\n');
  });

  it('reports a missing script or working folder as error without starting it', async () => {
    const missing = await server.run(specFor('no-such-script.py'));
    expect(missing.status).toBe('error');
    expect(missing.error).toContain('script not found');
    expect(missing.pid).toBeNull();
    const badCwd = await server.run(specFor('fidelity.py', { cwd: '/no/such/dir' }));
    expect(badCwd.status).toBe('error');
    expect(badCwd.error).toContain('working folder not found');
  });
});
