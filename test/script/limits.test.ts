// OS limits set by the launcher in the child before the script starts: RLIMIT_DATA for
// memoryLimitMb (threads and their stacks still work), RLIMIT_CPU for cpuTimeLimitS.
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { PYTHON, fixture } from './helpers.ts';

describe.each(['spawn', 'forkserver'] as const)('limits (%s)', (startMethod) => {
  const base = { python: PYTHON, startMethod };
  it('turns a MemoryError under memoryLimitMb into a plain failure', async () => {
    const result = await runScript(fixture('memory_hog.py'), { ...base, memoryLimitMb: 256 });
    expect(result).toMatchObject({
      status: 'failed',
      exitCode: 1,
      error: 'memory limit of 256 MiB exceeded (MemoryError)',
    });
    expect(result.stderr).toContain('MemoryError');
    expect(result.peakRssKb).toBeLessThan(300 * 1024);
  });

  it('starts 20 threads under a 512 MiB limit', async () => {
    const result = await runScript(fixture('threads.py'), { ...base, args: ['20'], memoryLimitMb: 512 });
    expect(result).toMatchObject({ status: 'passed', stdout: 'threads done 20\n' });
  });

  it('stops a CPU-bound script at cpuTimeLimitS with SIGXCPU', async () => {
    const result = await runScript(fixture('cpu_burn.py'), { ...base, cpuTimeLimitS: 1, timeoutMs: 30_000 });
    expect(result).toMatchObject({ status: 'failed', error: 'CPU time limit of 1 s exceeded' });
    expect(['SIGXCPU', 'SIGKILL']).toContain(result.signal);
  });
});
