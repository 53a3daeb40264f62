// Issue 16.1: scripts are told apart by their path relative to the working directory, on the
// console, in "Slowest" and in JUnit (classname = dotted folder path, name = file name,
// file = relative path), parsed back by an XML parser; "1 script"; no escape sequences in JUnit.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stripTerminalEscapes } from '../../src/cli/reports/strip-escapes.ts';
import fc from 'fast-check';
import { junitNames } from '../../src/cli/reports/script-names.ts';
import { PYTHON, makeTempDir } from '../parallel/helpers.ts';
import { parseJunit, runCli, writeTree } from './run-cli.ts';

const COLOURED_FAILURE = [
  'import sys',
  'print("\\x1b[32mgreen out\\x1b[0m")',
  'print("\\x1b]0;title\\x07\\x1b[1;31mbold red\\x1b[0m \\x1b[2Kcleared \\x9b31mC1", file=sys.stderr)',
  'sys.exit(2)',
].join('\n');

describe('script names', () => {
  it('same-named scripts in different folders get unique JUnit (classname, name) pairs and relative console names', async () => {
    const dir = makeTempDir();
    writeTree(dir, {
      'dup/a/util/run.py': 'print("a")\n',
      'dup/b/util/run.py': COLOURED_FAILURE,
      'top.py': 'print(1)\n',
    });
    const junit = path.join(dir, 'junit.xml');
    const { code, stdout } = await runCli(['run', '.', '--python', PYTHON, '--junit', junit, '-j', '2'], {}, dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^PASS +dup\/a\/util\/run\.py /m);
    expect(stdout).toMatch(/^FAIL +dup\/b\/util\/run\.py /m);
    expect(stdout).toContain('--- FAILED: dup/b/util/run.py');
    expect(stdout).toContain('    | bold red cleared C1\n'); // the summary's tail is plain text too
    const slowest = stdout.slice(stdout.indexOf('Slowest:'));
    for (const name of ['dup/a/util/run.py', 'dup/b/util/run.py', 'top.py']) expect(slowest).toContain(`  ${name}`);

    const xml = readFileSync(junit, 'utf8');
    const cases = parseJunit(xml).cases.sort((a, b) => a['@_file'].localeCompare(b['@_file']));
    const pairs = cases.map((c) => `${c['@_classname']}|${c['@_name']}`);
    expect(new Set(pairs).size).toBe(3);
    expect(cases.map((c) => [c['@_classname'], c['@_name'], c['@_file']])).toEqual([
      ['dup.a.util', 'run.py', 'dup/a/util/run.py'],
      ['dup.b.util', 'run.py', 'dup/b/util/run.py'],
      ['(root)', 'top.py', 'top.py'],
    ]);
    // No escape sequence survives, not even its tail ("[31m"), nor a C1 control.
    expect(xml.includes('\u001b') || xml.includes('\u009b')).toBe(false);
    expect(xml).not.toMatch(/\[[0-9;]*m|\]0;/);
    expect(cases[1]['system-err']).toBe('bold red cleared C1');
    expect(cases[1]['system-out']).toBe('green out');
  });

  it('a file name that is not valid UTF-8 cannot be named by Node.js: said once, plainly, and the script counts as an error', async () => {
    const dir = makeTempDir();
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/test_`), Buffer.from([0xff]), Buffer.from('.py')]), 'print(1)\n');
    writeTree(dir, { 'ok.py': 'print(1)\n' });
    const { code, stdout, stderr } = await runCli(['run', '.', '--python', PYTHON], {}, dir);
    expect(stderr).toContain('1 script with a file name that is not valid UTF-8 (e.g. test_\uFFFD.py)');
    expect(stderr).toContain('rename it to run it');
    expect(stdout).toMatch(/^PASS +ok\.py /m);
    expect(code).toBe(1);
  });

  it('"1 script" is singular', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'one.py': 'pass\n' });
    const { code, stdout } = await runCli(['run', 'one.py', '--python', PYTHON], {}, dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^1 script: 1 passed, 0 failed, 0 timed out, 0 skipped in /m);
  });
});

describe('junitNames and stripTerminalEscapes', () => {
  it('names a script outside the working directory by its absolute folder path', () => {
    expect(junitNames('/srv/x/run.py', '/home/me')).toEqual({
      classname: '/srv.x',
      name: 'run.py',
      file: '/srv/x/run.py',
    });
  });
  it('gives distinct (classname, name) pairs to paths that differ only by dots, backslashes, "(root)" or being outside', () => {
    const cwd = '/work';
    const scripts = [
      'a.b/test_x.py',
      'a/b/test_x.py',
      'a\\.b/test_x.py',
      'a\\/b/test_x.py',
      '(root)/test_x.py',
      'test_x.py',
      'srv/x/test_x.py',
    ];
    const pairs = [...scripts.map((s) => path.join(cwd, s)), '/srv/x/test_x.py'].map((s) => junitNames(s, cwd));
    expect(pairs.map((p) => p.classname)).toEqual([
      'a\\.b',
      'a.b',
      'a\\\\\\.b',
      'a\\\\.b',
      '\\(root)',
      '(root)',
      'srv.x',
      '/srv.x',
    ]);
    expect(new Set(pairs.map((p) => `${p.classname}|${p.name}`)).size).toBe(pairs.length);
  });
  it('never gives two relative folder paths the same classname (property)', () => {
    const part = fc.stringMatching(/^[ab.\\()rot]{1,6}$/).filter((p) => p !== '.' && p !== '..');
    fc.assert(
      fc.property(fc.array(part, { maxLength: 4 }), fc.array(part, { maxLength: 4 }), (x, y) => {
        fc.pre(x.join('/') !== y.join('/'));
        const a = junitNames(path.join('/w', ...x, 't.py'), '/w').classname;
        const b = junitNames(path.join('/w', ...y, 't.py'), '/w').classname;
        return a !== b;
      }),
    );
  });
  it('removes CSI, OSC and two-character escapes whole', () => {
    expect(
      stripTerminalEscapes('\u001b[38;5;196mred\u001b[0m \u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\ \u001bMup'),
    ).toBe('red link up');
  });
});
