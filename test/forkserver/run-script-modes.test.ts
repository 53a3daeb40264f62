// runScript through the supervisor pool in both start methods: the same fixtures (those of
// test/script) and the same expectations, so the fork server keeps every runScript promise.
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import type { StartMethod } from '../../src/script/types.ts';
import { FIXTURES, PYTHON, fixture, processState, waitUntilGone, watchOutput } from '../script/helpers.ts';

describe.each<StartMethod>(['spawn', 'forkserver'])('runScript with startMethod %s', (startMethod) => {
  const base = { python: PYTHON, startMethod };

  it('runs a script with python fidelity: argv, __file__, __name__, sys.path[0], cwd', async () => {
    const args = ['plain', 'with space', ''];
    const result = await runScript(fixture('echo_argv.py'), { ...base, args });
    expect(result.status).toBe('passed');
    expect(JSON.parse(result.stdout)).toMatchObject({
      argv: [fixture('echo_argv.py'), ...args], file: fixture('echo_argv.py'), name: '__main__', path0: FIXTURES, cwd: FIXTURES,
    });
    expect(result.pid).toBeGreaterThan(0);
  });

  it('reports exit codes and tracebacks with the same words', async () => {
    const failed = await runScript(fixture('exit_code.py'), { ...base, args: ['3'] });
    expect(failed).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(failed.error).toMatch(/exited with code 3/);
    const raised = await runScript(fixture('raise_error.py'), { ...base });
    expect(raised.stderr).toBe([
      'Traceback (most recent call last):',
      `  File "${fixture('raise_error.py')}", line 5, in <module>`,
      '    inner()',
      `  File "${fixture('raise_error.py')}", line 2, in inner`,
      '    raise ValueError("boom from inner")',
      'ValueError: boom from inner',
      '',
    ].join('\n'));
    expect(raised.error).toMatch(/exited with code 1.*ValueError/);
  });

  it('times out and kills the group', async () => {
    const { onOutput, matched } = watchOutput(/started (\d+)\n/);
    const result = await runScript(fixture('forever.py'), { ...base, timeoutMs: 1500, onOutput });
    await matched;
    expect(result).toMatchObject({ status: 'timeout', signal: 'SIGTERM', exitCode: null, error: 'timed out after 1500 ms' });
    await waitUntilGone(result.pid!);
  });

  it('cancels on abort and kills the grandchild in its group', async () => {
    const controller = new AbortController();
    const { onOutput, matched } = watchOutput(/started (\d+) (\d+)\n/);
    const running = runScript(fixture('grandchild.py'), { ...base, signal: controller.signal, onOutput });
    const [, pid, grandchild] = await matched;
    expect(processState(Number(grandchild))).not.toBeNull();
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ status: 'cancelled', pid: Number(pid) });
    expect(result.error).toMatch(/^cancelled/);
    await waitUntilGone(Number(pid));
    await waitUntilGone(Number(grandchild));
  });

  it('sweeps a grandchild that escaped the group with setsid', async () => {
    const { onOutput, matched } = watchOutput(/started (\d+) (\d+)\n/);
    const running = runScript(fixture('grandchild.py'), { ...base, args: ['setsid'], timeoutMs: 2000, onOutput });
    const [, pid, grandchild] = await matched;
    expect((await running).status).toBe('timeout');
    await waitUntilGone(Number(pid));
    await waitUntilGone(Number(grandchild));
  });

  it('kills what a passing script leaves behind in its group', async () => {
    const result = await runScript(fixture('run_with_leftover.py'), { ...base });
    expect(result.status).toBe('passed');
    await waitUntilGone(Number(result.stdout.match(/leftover (\d+)/)![1]));
  });

  it('turns a MemoryError under memoryLimitMb into a plain failure', async () => {
    const result = await runScript(fixture('memory_hog.py'), { ...base, memoryLimitMb: 256 });
    expect(result).toMatchObject({ status: 'failed', exitCode: 1, error: 'memory limit of 256 MiB exceeded (MemoryError)' });
  });

  it('stops a CPU-bound script at cpuTimeLimitS', async () => {
    const result = await runScript(fixture('cpu_burn.py'), { ...base, cpuTimeLimitS: 1, timeoutMs: 30_000 });
    expect(result).toMatchObject({ status: 'failed', error: 'CPU time limit of 1 s exceeded' });
  });

  it('streams live output and reports a missing script as error', async () => {
    const chunks = { stdout: '', stderr: '' };
    const result = await runScript(fixture('hello.py'), { ...base, onOutput: (stream, chunk) => (chunks[stream] += chunk) });
    expect(chunks).toEqual({ stdout: result.stdout, stderr: result.stderr });
    const missing = await runScript(fixture('does_not_exist.py'), { ...base });
    expect(missing).toMatchObject({ status: 'error', pid: null });
    expect(missing.error).toMatch(/not found/);
  });
});
