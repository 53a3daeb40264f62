// Bad input: options refused with a TypeError naming the option; a missing, unreadable or
// folder script, a missing cwd, or a bad interpreter gives status 'error' and spawns nothing.
import { chmodSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { resolvePython } from '../../src/script/python.ts';
import { parseRunScriptOptions } from '../../src/script/validate-options.ts';
import { PYTHON, fixture } from './helpers.ts';

describe('option validation', () => {
  it.each([
    [
      { timeoutMs: -1 },
      /^options\.timeoutMs must be a positive number of milliseconds, or Infinity for none \(got -1\)$/,
    ],
    [{ timeoutMs: 'soon' }, /options\.timeoutMs must be a positive number/],
    [{ args: 'a b' }, /^options\.args must be an array of strings without NUL bytes \(got "a b"\)$/],
    [{ args: ['ok', 5] }, /options\.args must be an array of strings without NUL bytes \(got 5 at options\.args\.1\)/],
    [{ env: { A: 1 } }, /options\.env must be an object whose names and values are strings without NUL bytes/],
    [{ allowedExitCodes: [0, 300] }, /options\.allowedExitCodes must be an array of integers from 0 to 255/],
    [{ memoryLimitMb: 0 }, /options\.memoryLimitMb must be a positive integer \(MiB\)/],
    [{ cpuTimeLimitS: 1.5 }, /options\.cpuTimeLimitS must be a positive integer/],
    [{ maxOutputBytes: -5 }, /options\.maxOutputBytes must be a positive integer/],
    [{ signal: {} }, /options\.signal must be an AbortSignal/],
    [{ onOutput: 'print' }, /options\.onOutput must be a function/],
    [{ killGraceMs: -1 }, /options\.killGraceMs must be a non-negative number/],
    [{ startMethod: 'fork' }, /options\.startMethod must be 'spawn' or 'forkserver'/],
    [{ logger: { info() {} } }, /options\.logger must be a pino-compatible logger/],
    [{ python: '' }, /options\.python must be a non-empty string/],
  ])('rejects %j with a TypeError naming the option', async (options, message) => {
    await expect(runScript(fixture('hello.py'), options as never)).rejects.toThrow(TypeError);
    await expect(runScript(fixture('hello.py'), options as never)).rejects.toThrow(message);
  });

  it('rejects a non-object options and a bad script path', async () => {
    await expect(runScript(fixture('hello.py'), 5 as never)).rejects.toThrow(/^options must be an object \(got 5\)$/);
    await expect(runScript(42 as never)).rejects.toThrow(/^scriptPath must be a non-empty string/);
  });

  it('fills in the documented defaults', () => {
    expect(parseRunScriptOptions({})).toMatchObject({
      timeoutMs: 60_000,
      args: [],
      allowedExitCodes: [0],
      maxOutputBytes: 10 * 1024 * 1024,
      killGraceMs: 2_000,
      inheritEnv: true,
      startMethod: 'spawn',
      preload: [],
    });
  });
});

describe.each(['spawn', 'forkserver'] as const)("scripts that cannot run give status 'error' (%s)", (startMethod) => {
  const base = { python: PYTHON, startMethod };
  it('a missing script', async () => {
    const result = await runScript(fixture('does_not_exist.py'), base);
    expect(result).toMatchObject({
      status: 'error',
      pid: null,
      exitCode: null,
      error: `script not found: ${fixture('does_not_exist.py')}`,
    });
  });

  it('a folder', async () => {
    const result = await runScript(fixture('a_folder.py'), base);
    expect(result).toMatchObject({ status: 'error', pid: null });
    expect(result.error).toMatch(/is a folder/);
  });

  it('a symlink to nothing', async () => {
    const dir = mkdtempSync('/tmp/ergate-dangling-');
    const script = path.join(dir, 'gone.py');
    symlinkSync(path.join(dir, 'never-created.py'), script);
    const result = await runScript(script, base);
    expect(result).toMatchObject({ status: 'error', pid: null, error: `script not found: ${script}` });
  });

  it('a missing working folder', async () => {
    const result = await runScript(fixture('hello.py'), { ...base, cwd: '/nonexistent/ergate' });
    expect(result).toMatchObject({
      status: 'error',
      pid: null,
      error: 'working folder not found: /nonexistent/ergate',
    });
  });

  it('a bad interpreter', async () => {
    const result = await runScript(fixture('hello.py'), { startMethod, python: '/nonexistent/python3' });
    expect(result).toMatchObject({
      status: 'error',
      pid: null,
      error: "python interpreter '/nonexistent/python3' not found",
    });
    const notPython = await runScript(fixture('hello.py'), { startMethod, python: '/bin/false' });
    expect(notPython.status).toBe('error');
    expect(notPython.error).toMatch(/python interpreter '\/bin\/false' does not run/);
  });
});

describe('resolvePython', () => {
  it('resolves a pyenv-style shim to the real executable once, and caches it', async () => {
    const dir = mkdtempSync('/tmp/ergate-shim-');
    const shim = path.join(dir, 'python3');
    writeFileSync(shim, `#!/bin/sh\necho run >> ${dir}/calls\nexec ${PYTHON} "$@"\n`);
    chmodSync(shim, 0o755);
    const first = await resolvePython(shim);
    expect(first).toBe(PYTHON);
    expect(await resolvePython(shim)).toBe(first);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(path.join(dir, 'calls'), 'utf8')).toBe('run\n');
  });

  it('uses $ERGATE_PYTHON when no python option is given', async () => {
    const previous = process.env.ERGATE_PYTHON;
    process.env.ERGATE_PYTHON = '/nonexistent/from-env';
    try {
      await expect(resolvePython()).rejects.toThrow("python interpreter '/nonexistent/from-env' not found");
    } finally {
      if (previous === undefined) delete process.env.ERGATE_PYTHON;
      else process.env.ERGATE_PYTHON = previous;
    }
  });
});
