// runScript fidelity: argv, __file__, __name__, sys.path[0], exit codes, tracebacks,
// environment and PYTHONPATH rule, stdin, unicode. Real python3 children throughout.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { FIXTURES, PYTHON, fixture } from './helpers.ts';

describe.each(['spawn', 'forkserver'] as const)('runScript fidelity (%s)', (startMethod) => {
  const base = { python: PYTHON, startMethod };
  it('runs a script and reports a passed result with its output', async () => {
    const result = await runScript(fixture('hello.py'), base);
    expect(result).toMatchObject({
      script: fixture('hello.py'),
      name: 'hello.py',
      subdirectory: 'fixtures',
      status: 'passed',
      exitCode: 0,
      signal: null,
      error: null,
      stdout: `hello from ${fixture('hello.py')}\n`,
      stderr: 'to stderr\n',
    });
    expect(result.pid).toBeGreaterThan(0);
    expect(Date.parse(result.endTime)).toBeGreaterThanOrEqual(Date.parse(result.startTime));
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('shows the script the same argv, __file__, __name__, sys.path[0] as python3 script.py', async () => {
    const args = ['plain', 'with space', `it's "quoted"`, '$(touch /tmp/ergate-pwned)', '`id`', ''];
    const result = await runScript(fixture('echo_argv.py'), { ...base, args });
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({
      argv: [fixture('echo_argv.py'), ...args],
      file: fixture('echo_argv.py'),
      name: '__main__',
      path0: FIXTURES,
      cwd: FIXTURES,
      unbuffered: '1',
      ergate_child: null,
    });
    const { existsSync } = await import('node:fs');
    expect(existsSync('/tmp/ergate-pwned')).toBe(false);
  });

  it('resolves a relative script path and honours cwd', async () => {
    const relative = path.relative(process.cwd(), fixture('echo_argv.py'));
    const result = await runScript(relative, { ...base, cwd: '/tmp' });
    expect(result.script).toBe(fixture('echo_argv.py'));
    expect((JSON.parse(result.stdout) as { cwd: string }).cwd).toBe('/tmp');
  });

  it('lets a script import its sibling modules', async () => {
    const result = await runScript(fixture('import_sibling.py'), base);
    expect(result.stdout).toBe('sibling imported\n');
    expect(result.status).toBe('passed');
  });

  it('maps exit codes through allowedExitCodes', async () => {
    const failed = await runScript(fixture('exit_code.py'), { ...base, args: ['3'] });
    expect(failed).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(failed.error).toMatch(/exited with code 3/);
    const allowed = await runScript(fixture('exit_code.py'), { ...base, args: ['3'], allowedExitCodes: [0, 3] });
    expect(allowed).toMatchObject({ status: 'passed', exitCode: 3, error: null });
  });

  it('prints tracebacks exactly as plain python3 does, without ergate frames', async () => {
    const result = await runScript(fixture('raise_error.py'), base);
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(result.stderr).toBe(
      [
        'Traceback (most recent call last):',
        `  File "${fixture('raise_error.py')}", line 5, in <module>`,
        '    inner()',
        `  File "${fixture('raise_error.py')}", line 2, in inner`,
        '    raise ValueError("boom from inner")',
        'ValueError: boom from inner',
        '',
      ].join('\n'),
    );
    expect(result.error).toMatch(/exited with code 1.*ValueError/);
  });

  it('reports a syntax error like python3 does', async () => {
    const result = await runScript(fixture('syntax_error.py'), base);
    expect(result.status).toBe('failed');
    expect(result.stderr).toContain(`File "${fixture('syntax_error.py')}", line 1`);
    expect(result.stderr).toContain('SyntaxError');
    expect(result.stderr).not.toContain('launcher.py');
  });

  it('merges env over process.env and applies the src/ PYTHONPATH rule', async () => {
    process.env.ERGATE_INHERITED = 'from-parent';
    const result = await runScript(fixture('echo_argv.py'), {
      ...base,
      env: { ERGATE_TEST_VAR: 'yes', PYTHONPATH: '/extra' },
    });
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(seen.extra).toBe('yes');
    expect(seen.inherited).toBe('from-parent');
    // the repository root holds src/, so <root>/src and <root>/scripts come first
    const root = path.resolve(FIXTURES, '..', '..');
    expect(seen.pythonpath).toBe([path.join(root, 'src'), path.join(root, 'scripts'), '/extra'].join(':'));
  });

  it('does not touch PYTHONPATH when no src folder is near', async () => {
    const { mkdtempSync, copyFileSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/ergate-nosrc-');
    copyFileSync(fixture('echo_argv.py'), path.join(dir, 'echo_argv.py'));
    const result = await runScript(path.join(dir, 'echo_argv.py'), { ...base, env: { PYTHONPATH: '/only' } });
    expect((JSON.parse(result.stdout) as { pythonpath: string }).pythonpath).toBe('/only');
  });

  it('looks for src/ in the script folder and the 4 above it, 5 in all (as the seed)', async () => {
    const { mkdtempSync, mkdirSync, copyFileSync } = await import('node:fs');
    const root = mkdtempSync('/tmp/ergate-srcroot-');
    mkdirSync(path.join(root, 'src'));
    const near = path.join(root, 'a', 'b', 'c', 'd'); // root is the 5th folder searched
    const far = path.join(near, 'e'); // root would be the 6th
    mkdirSync(far, { recursive: true });
    copyFileSync(fixture('echo_argv.py'), path.join(near, 'echo_argv.py'));
    copyFileSync(fixture('echo_argv.py'), path.join(far, 'echo_argv.py'));
    const seen = async (dir: string) => {
      const result = await runScript(path.join(dir, 'echo_argv.py'), { ...base, env: { PYTHONPATH: '/only' } });
      return (JSON.parse(result.stdout) as { pythonpath: string }).pythonpath;
    };
    expect(await seen(near)).toBe([path.join(root, 'src'), path.join(root, 'scripts'), '/only'].join(':'));
    expect(await seen(far)).toBe('/only');
  });

  it('closes stdin: the script reads EOF at once', async () => {
    const result = await runScript(fixture('read_stdin.py'), base);
    expect(result.stdout).toBe("stdin: ''\n");
  });

  it('decodes UTF-8 and replaces invalid bytes instead of crashing', async () => {
    const result = await runScript(fixture('unicode_out.py'), base);
    expect(result.status).toBe('passed');
    expect(result.stdout).toBe('héllo wörld — 日本語 🎉\nbad \uFFFD\uFFFD bytes\n');
  });

  it('reports peak RSS and CPU time measured in the child', async () => {
    const result = await runScript(fixture('threads.py'), { ...base, args: ['4'] });
    expect(result.peakRssKb).toBeGreaterThan(1000);
    expect(result.peakRssKb).toBeLessThan(1024 * 1024);
    expect(result.cpuTimeMs).toBeGreaterThanOrEqual(0);
  });
});
