// The server itself: no threads, a failed fork is a clear error, a bad preload refuses to
// start, and SIGKILL of the Node parent leaves no server, script or grandchild behind.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { ForkServer } from '../../src/script/forkserver/fork-server.ts';
import { ForkServerHost } from '../../src/script/forkserver/fork-server-host.ts';
import { PYTHON, fixture, outputMatcher, specFor, waitUntilGone } from './helpers.ts';

const NOBODY = 65534;

describe('fork server robustness', () => {
  it('runs with a single thread, before and after serving scripts', async () => {
    await using server = await ForkServer.start({ python: PYTHON, preload: ['asyncio', 'decimal'] });
    const threads = () => /^Threads:\s+(\d+)$/m.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1];
    expect(threads()).toBe('1');
    const results = await Promise.all([1, 2, 3].map(() => server.run(specFor('finalise.py'))));
    expect(results.every((result) => result.status === 'passed')).toBe(true);
    expect(threads()).toBe('1');
  });

  it('a host restarts a dead server: the script it ran is error, the next one passes', async () => {
    await using host = new ForkServerHost();
    const first = await host.acquire(specFor('forever.py'));
    const watch = outputMatcher(/started (\d+) (\d+)\n/);
    const running = host.run(specFor('forever.py'), { onOutput: watch.onOutput });
    const pids = (await watch.match).slice(1).map(Number);
    process.kill(first.pid, 'SIGKILL');
    expect((await running).status).toBe('error');
    await waitUntilGone(pids);
    const next = await host.run(specFor('exit-with.py', { args: ['0'] }));
    expect(next.status).toBe('passed');
    const second = await host.acquire(specFor('exit-with.py'));
    expect(second.pid).not.toBe(first.pid);
    // A different preload list needs a server started with it: the old one is replaced.
    const third = await host.acquire(specFor('exit-with.py', { preload: ['json'] }));
    expect(third.pid).not.toBe(second.pid);
    await waitUntilGone([second.pid]);
  });

  it('refuses to start when a preload cannot be imported, naming the module', async () => {
    await expect(ForkServer.start({ python: PYTHON, preload: ['no_such_module_for_ergate'] })).rejects.toThrow(
      /preload of 'no_such_module_for_ergate' failed: ModuleNotFoundError/,
    );
  });

  it('refuses to start with an interpreter that does not exist', async () => {
    await expect(ForkServer.start({ python: '/no/such/python3' })).rejects.toThrow(/could not start the fork server with \/no\/such\/python3/);
  });

  it('reports a fork that fails with EAGAIN as error and keeps serving', async () => {
    // Root ignores RLIMIT_NPROC, so the server runs as nobody, with its process count capped at 1.
    expect(process.getuid?.()).toBe(0);
    const python = fixture('nproc-limited-python.sh');
    await using server = await ForkServer.start({ python, uid: NOBODY, gid: NOBODY, cwd: '/' });
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await server.run(specFor('exit-with.py', { args: ['0'], cwd: '/' }));
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/^fork failed \(EAGAIN\): Resource temporarily unavailable/);
    }
    expect(server.alive).toBe(true);
  });

  it('leaves no server, script or grandchild when the Node parent is SIGKILLed', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture('hold-server.ts'), PYTHON], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: parent.stdout! });
    const firstLine = await new Promise<string>((resolve) => lines.once('line', resolve));
    const pids = JSON.parse(firstLine) as { server: number; child: number; grandchild: number };
    parent.kill('SIGKILL');
    await waitUntilGone([parent.pid!, pids.server, pids.child, pids.grandchild]);
  });
});
