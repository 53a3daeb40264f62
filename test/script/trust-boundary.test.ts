// Issue 14 points 1-3 at the script boundary, in both start methods: a NUL byte anywhere exec
// would see is a TypeError before anything runs (and never harms the pool); E2BIG is that
// run's 'error' in plain words; ergate's own Python imports only the real standard library
// and leaves no module of its own behind, even with the project shadowing one; and a script
// given inheritEnv: false cannot read the parent's other variables, not even in
// /proc/self/environ.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParallelRunner, runScript } from '../../src/index.ts';
import { PYTHON, fixture } from './helpers.ts';

describe.each(['spawn', 'forkserver'] as const)('trust boundary (%s)', (startMethod) => {
  const base = { python: PYTHON, startMethod };

  it.each([
    ['args', { args: ['a\0b'] }],
    ['env', { env: { GOOD: 'x', BAD: 'a\0b' } }],
    ['env', { env: { 'BA\0D': 'x' } }],
    ['cwd', { cwd: '/tmp\0/x' }],
    ['python', { python: '/usr/bin/python3\0' }],
  ])('a NUL byte in %s is a TypeError naming it, and the pool runs on', async (name, bad) => {
    for (let i = 0; i < 6; i++) {
      await expect(runScript(fixture('hello.py'), { ...base, ...bad })).rejects.toThrow(
        new RegExp(`^options\\.${name}(\\.\\S+)? must be .*without NUL bytes`),
      );
    }
    expect((await runScript(fixture('hello.py'), base)).status).toBe('passed');
  });

  it('a NUL byte in the script path is a TypeError, for runScript and runScripts', async () => {
    await expect(runScript(`${fixture('hello.py')}\0x`, base)).rejects.toThrow(
      /^scriptPath must be a non-empty string without NUL bytes/,
    );
    await using runner = new ParallelRunner({ ...base, maxWorkers: 1 });
    await expect(runner.runScripts([fixture('hello.py'), 'a\0b.py'])).rejects.toThrow(
      /scripts\.1: expected a script path without NUL bytes/,
    );
    expect((await runner.runScripts([fixture('hello.py')])).passed).toBe(1);
  });

  it('ergate imports the real standard library, and leaves none of it in sys.modules, whatever the project shadows', async () => {
    const root = mkdtempSync('/tmp/ergate-shadow-');
    mkdirSync(path.join(root, 'src'));
    mkdirSync(path.join(root, 'scripts'));
    // Every module the launcher imports, shadowed by the project (ergate puts <root>/src on PYTHONPATH).
    for (const name of ['resource', 'select', 'marshal', 'errno', 'gc', 'time', 'atexit']) {
      writeFileSync(
        path.join(root, 'src', `${name}.py`),
        'raise ImportError("the project\'s own module, not the stdlib")\n',
      );
    }
    const script = path.join(root, 'scripts', 'modules.py');
    writeFileSync(script, 'import sys\nprint(" ".join(sorted(sys.modules)))\n');
    const result = await runScript(script, { ...base, memoryLimitMb: 512, cpuTimeLimitS: 60 });
    expect(result.status).toBe('passed');
    const plain = execFileSync(PYTHON, [script], {
      env: { ...process.env, PYTHONPATH: `${root}/src:${root}/scripts` },
      encoding: 'utf8',
    });
    expect(result.stdout).toBe(plain);
  });

  it('inheritEnv: false: the script cannot read a parent variable it was not given, even in /proc/self/environ', async () => {
    process.env.ERGATE_PARENT_SECRET = 'hunter2';
    try {
      const dumps = fixture('environ_dump.py');
      // A first run with everything inherited warms a launcher with the secret in its environment.
      const inherited = await runScript(dumps, base);
      expect(inherited.stdout).toContain('ERGATE_PARENT_SECRET=hunter2');
      const result = await runScript(dumps, { ...base, inheritEnv: false, env: { GIVEN: 'yes' } });
      expect(result.status).toBe('passed');
      expect(result.stdout).toContain('GIVEN=yes');
      expect(result.stdout).not.toContain('hunter2');
      expect(result.stdout).not.toContain('ERGATE_PARENT_SECRET');
    } finally {
      delete process.env.ERGATE_PARENT_SECRET;
    }
  });
});

describe('exec errors', () => {
  it("E2BIG is that run's 'error' in plain words, and the next script runs", async () => {
    const huge = Array.from({ length: 64 }, () => 'x'.repeat(128 * 1024)); // 8 MiB of argv
    const result = await runScript(fixture('hello.py'), { python: PYTHON, args: huge });
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/^could not start python interpreter '\S+': E2BIG: Argument list too long$/);
    expect((await runScript(fixture('hello.py'), { python: PYTHON })).status).toBe('passed');
  });
});

describe.each(['spawn', 'forkserver'] as const)('timeoutMs: Infinity (%s)', (startMethod) => {
  it('means no timeout, for runScript and for the runner', async () => {
    const result = await runScript(fixture('exit_code.py'), {
      python: PYTHON,
      startMethod,
      args: ['0'],
      timeoutMs: Infinity,
    });
    expect(result).toMatchObject({ status: 'passed', error: null });
    await using runner = new ParallelRunner({ python: PYTHON, startMethod, defaultTimeoutMs: Infinity });
    expect((await runner.runScripts([fixture('hello.py')], { timeoutMs: Infinity })).passed).toBe(1);
  });
});
