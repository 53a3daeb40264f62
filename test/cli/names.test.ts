// Issue 16.1: scripts are told apart by their path relative to the working directory, on the
// console, in "Slowest" and in JUnit (classname = dotted folder path, name = file name,
// file = relative path), parsed back by an XML parser; "1 script"; no escape sequences in JUnit.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stripTerminalEscapes } from '../../src/cli/reports/strip-escapes.ts';
import fc from 'fast-check';
import { junitNames } from '../../src/cli/reports/script-names.ts';
import { pathFromBytes } from '../../src/internal/byte-names.ts';
import type { ScriptResult } from '../../src/script/types.ts';
import { PYTHON, makeTempDir, writeByteNamedScript } from '../parallel/helpers.ts';
import { ROOT, finish, parseJunit, runCli, writeTree } from './run-cli.ts';

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

  it('a file or folder name that is not valid UTF-8 runs, and every report names it readably', async () => {
    const dir = makeTempDir();
    const cafe = writeByteNamedScript(dir);
    const inFolder = writeByteNamedScript(dir, 'd\xff/t.py');
    writeTree(dir, { 'ok.py': 'print(1)\n' });
    const first = await runCli(
      [
        'run',
        '.',
        '--python',
        PYTHON,
        '-j',
        '2',
        '--json',
        'r.json',
        '--junit',
        'r.xml',
        '--joblog',
        'j.tsv',
        '--store-durations',
        'd.json',
        '--html',
        'r.html',
      ],
      {},
      dir,
    );
    expect(first.stderr).not.toContain('UTF-8');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^PASS +"caf\\xe9_test\.py" /m);
    expect(first.stdout).toMatch(/^PASS +"d\\xff\/t\.py" /m);
    // JSON carries the surrogateescape form; its output is the script's: its own path's bytes.
    const json = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')) as { results: ScriptResult[] };
    const byScript = new Map(json.results.map((r) => [r.script, r]));
    expect(byScript.get(pathFromBytes(cafe))?.stdout).toBe(`${cafe.toString('hex')} ${cafe.toString('hex')}\n`);
    expect(byScript.get(pathFromBytes(inFolder))?.status).toBe('passed');
    // JUnit: valid UTF-8 XML, no U+FFFD, and still a distinct (classname, name) pair each.
    const raw = readFileSync(path.join(dir, 'r.xml'));
    expect(Buffer.from(raw.toString('utf8')).equals(raw)).toBe(true);
    expect(raw.toString('utf8')).not.toContain('\uFFFD');
    const cases = parseJunit(raw.toString('utf8')).cases.map((c) => [c['@_classname'], c['@_name'], c['@_file']]);
    expect(cases.sort()).toEqual([
      ['(root)', '"caf\\xe9_test.py"', '"caf\\xe9_test.py"'],
      ['(root)', 'ok.py', 'ok.py'],
      ['d\\xff', 't.py', '"d\\xff/t.py"'],
    ]);
    // The HTML page's data names it as the console does (JSON-escaped inside the page).
    const html = readFileSync(path.join(dir, 'r.html'), 'utf8');
    expect(html).toContain(JSON.stringify('"caf\\xe9_test.py"').slice(1, -1));
    expect(html).not.toMatch(/\\udc[89a-f][0-9a-f]|\uFFFD/i);
    // The joblog holds the bytes, as parallel writes a command line; history and durations the JSON form.
    expect(readFileSync(path.join(dir, 'j.tsv')).includes(cafe)).toBe(true);
    const history = readFileSync(path.join(dir, '.ergate', 'history.ndjson'), 'utf8');
    expect(history).toContain(JSON.stringify(pathFromBytes(inFolder)).slice(1, -1));

    // The name as a command-line argument (Node reads argv as UTF-8), with a byte argument
    // after --, in the other start method.
    const bin = path.join(ROOT, 'bin', 'ergate.js');
    const shell = spawn(
      '/bin/sh',
      [
        '-c',
        `exec "$0" "$1" run "$(printf 'caf\\351_test.py')" --python "$2" --start-method forkserver --show-output --store-durations d.json -- "$(printf 'x\\376')"`,
        process.execPath,
        bin,
        PYTHON,
      ],
      { cwd: dir, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const second = await finish(shell);
    expect(second.stderr).toContain('stored the median durations of 1 script');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^1 script: 1 passed/m);
    expect(second.stdout).toContain(`"caf\\xe9_test.py"\t${cafe.toString('hex')} ${cafe.toString('hex')} 78fe\n`);
    expect(Object.keys(JSON.parse(readFileSync(path.join(dir, 'd.json'), 'utf8')) as object)).toEqual([
      'caf\uDCE9_test.py',
      'd\uDCFF/t.py',
      'ok.py',
    ]);
    const history2 = readFileSync(path.join(dir, '.ergate', 'history.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(history2).toHaveLength(4);

    // --resume-failed reads the joblog's bytes back to the same names: nothing is left to run.
    const third = await runCli(['run', '.', '--python', PYTHON, '--joblog', 'j.tsv', '--resume-failed'], {}, dir);
    expect(third.stdout + third.stderr).toContain('Nothing to resume: every script passed in the joblog.');
    expect(third.code).toBe(0);
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
  it('names undecodable bytes as \\xNN (quoted in a name) without ever colliding with a name spelled that way', () => {
    const cwd = '/work';
    const scripts = [
      'caf\uDCE9/t.py',
      'caf\\xe9/t.py',
      'a/caf\uDCE9.py',
      'a/caf\\xe9.py',
      'a/"caf\\xe9.py"',
      'a/"q.py',
    ];
    const names = scripts.map((s) => junitNames(path.join(cwd, s), cwd));
    expect(names.map((n) => [n.classname, n.name, n.file])).toEqual([
      ['caf\\xe9', 't.py', '"caf\\xe9/t.py"'],
      ['caf\\\\xe9', 't.py', 'caf\\xe9/t.py'],
      ['a', '"caf\\xe9.py"', '"a/caf\\xe9.py"'],
      ['a', 'caf\\xe9.py', 'a/caf\\xe9.py'],
      ['a', '"\\"caf\\\\xe9.py\\""', 'a/"caf\\xe9.py"'],
      ['a', '"\\"q.py"', 'a/"q.py'],
    ]);
    expect(new Set(names.map((n) => `${n.classname}|${n.name}`)).size).toBe(scripts.length);
    expect(new Set(names.map((n) => n.file)).size).toBe(scripts.length);
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
