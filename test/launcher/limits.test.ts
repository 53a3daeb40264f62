// Memory and CPU limits apply to the child alone (set between fork and exec, or in the
// fork); output is bounded and can be live; in both start methods.
import { afterAll, describe, expect, it } from 'vitest';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import type { ScriptSpec } from '../../src/script/types.ts';
import { specFor as baseSpec } from './helpers.ts';

describe.each(['spawn', 'forkserver'] as const)('limits and output (%s)', (startMethod) => {
  const server = new SupervisorPool({ size: 6 });
  afterAll(() => server.close());
  const specFor = (name: string, overrides: Partial<ScriptSpec> = {}) => baseSpec(name, { startMethod, ...overrides });

  it('a memory limit turns a big allocation into a plainly reported MemoryError', async () => {
    const result = await server.run(specFor('allocate.py', { memoryLimitMb: 128 }));
    expect(result.status).toBe('failed');
    expect(result.stderr).toMatch(/^MemoryError/m);
    expect(result.error).toBe('memory limit of 128 MiB exceeded (MemoryError)');
    expect(result.stdout).toBe('');
  });

  it('the memory limit of one script does not stay on the launcher', async () => {
    await server.run(specFor('allocate.py', { memoryLimitMb: 128 }));
    const result = await server.run(specFor('allocate.py', { args: ['12'] }));
    expect(result.status).toBe('passed');
    expect(result.stdout).toBe('allocated 192 MiB\n');
    expect(result.peakRssKb).toBeGreaterThan(192 * 1024);
  });

  it('a CPU-time limit stops a busy loop', async () => {
    const result = await server.run(specFor('spin.py', { cpuTimeLimitS: 1 }));
    expect(result.status).toBe('failed');
    expect(result.signal).toBe('SIGXCPU');
    expect(result.error).toBe('CPU time limit of 1 s exceeded');
    expect(result.cpuTimeMs).toBeGreaterThan(500); // kernel CPU accounting is tick-sampled
  });

  it('keeps head and tail of output beyond maxOutputBytes, per stream', async () => {
    const size = 3 * 1024 * 1024;
    const result = await server.run(specFor('flood.py', { args: [String(size)], maxOutputBytes: 1_000 }));
    expect(result.status).toBe('passed');
    expect(result.stdout.startsWith('a'.repeat(500))).toBe(true);
    expect(result.stdout.endsWith('END')).toBe(true);
    expect(result.stdout).toContain(`[... ${size - 1_000} bytes dropped ...]`);
    expect(result.stderr).toBe('err\n');
  });

  it('streams output live, split by stream, and the live text equals the collected text', async () => {
    const live = { stdout: '', stderr: '' };
    const result = await server.run(specFor('flood.py', { args: ['300000'], liveOutput: true }), {
      onOutput: (stream, chunk) => (live[stream] += chunk),
    });
    expect(live.stdout).toBe(result.stdout);
    expect(live.stderr).toBe('err\n');
    expect(result.stdout.length).toBe(300_000);
  });

  it('runs many scripts at once, each with its own streams', async () => {
    const sizes = [10, 70_000, 150_000, 5, 65_536, 1_000];
    const results = await Promise.all(sizes.map((size) => server.run(specFor('flood.py', { args: [String(size)] }))));
    expect(results.map((result) => result.stdout.length)).toEqual(sizes);
    expect(results.every((result) => result.stdout.endsWith('END') && result.stderr === 'err\n')).toBe(true);
  });
});
