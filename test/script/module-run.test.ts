// A module run (`module` option) is `python -m MODULE script args...` in both start methods:
// what the module sees (argv, sys.path[0], __name__, __spec__, __file__) equals a real
// `python -m` run, a missing module fails as python says, and the usual supervision
// (timeout, tree kill) applies.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { FIXTURES, PYTHON, fixture, waitUntilGone } from './helpers.ts';

const folder = `${FIXTURES}/modrun`;
const script = fixture('modrun/show_main.py');

describe.each(['spawn', 'forkserver'] as const)('module runs (%s)', (startMethod) => {
  it('sees what `python -m` sets', async () => {
    const direct = execFileSync(PYTHON, ['-m', 'show_main', script, 'a b', '-x'], { cwd: folder, encoding: 'utf8' });
    const result = await runScript(script, { python: PYTHON, startMethod, module: 'show_main', args: ['a b', '-x'] });
    expect(result.status).toBe('passed');
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(direct));
  });

  it('a missing module fails with python’s own words', async () => {
    const result = await runScript(script, { python: PYTHON, startMethod, module: 'no_such_module_here' });
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/No module named no_such_module_here/);
  });

  it('is timed out and killed like a file', async () => {
    const result = await runScript(script, {
      python: PYTHON,
      startMethod,
      module: 'show_main',
      args: ['--sleep'],
      timeoutMs: 1_500,
    });
    expect(result.status).toBe('timeout');
    expect(result.stdout).toContain('"name": "__main__"');
    await waitUntilGone(result.pid!);
  });
});

it('refuses a module name that is not one', async () => {
  await expect(runScript(script, { module: '-c import os' })).rejects.toThrow(
    /options\.module must be a dotted module name/,
  );
});
