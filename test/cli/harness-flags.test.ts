// A pytest or GNU parallel user's first hour, through the real CLI on a nested tree:
// no-path runs (config `paths`, else the working folder), -- ARGS and --env, folder excludes
// and the warning for an exclude that matched nothing, --lf, -n, -k, -x, --durations,
// --color, --dry-run with --order and a count, --json -, compound durations, .ergate/.gitignore,
// and the refusals that name ergate's flag.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, makeTempDir } from '../parallel/helpers.ts';
import { runCli, writeTree } from './run-cli.ts';

const ARGV_AND_ENV = 'import os, sys\nprint("argv=" + ",".join(sys.argv[1:]), "K=" + os.environ.get("K", "-"))\n';

/** tests/api/test_orders.py passes, tests/web/test_orders.py fails, tests/legacy/ passes. */
function project(): string {
  const dir = makeTempDir();
  writeTree(dir, {
    'tests/api/test_orders.py': ARGV_AND_ENV,
    'tests/web/test_orders.py': `${ARGV_AND_ENV}raise SystemExit(1)\n`,
    'tests/legacy/test_old.py': ARGV_AND_ENV,
    'tools/not_a_test.py': 'raise SystemExit(9)\n',
    // "legacy/**" is relative to the config's folder: it matches nothing here.
    'ergate.config.json': JSON.stringify({ paths: ['tests'], exclude: ['legacy/**'] }),
  });
  return dir;
}

interface Report {
  results: Array<{ script: string; status: string; stdout: string }>;
  total: number;
}
const names = (report: Report, dir: string): string[] => report.results.map((r) => path.relative(dir, r.script)).sort();

describe('ergate run, as a pytest or parallel user reaches for it', () => {
  it('runs the config paths with -- ARGS, --env, a folder --exclude, -n; warns once for an exclude that matched nothing', async () => {
    const dir = project();
    const json = path.join(dir, 'a.json');
    const args = ['run', '--python', PYTHON, '-n', '2', '--exclude', 'tests/legacy', '--json', json];
    const run = await runCli([...args, '--env', 'K=V=1', '--lf', '--', '--fast', '-x'], {}, dir);
    expect(run.code).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(names(report, dir)).toEqual(['tests/api/test_orders.py', 'tests/web/test_orders.py']);
    for (const result of report.results) expect(result.stdout).toContain('argv=--fast,-x K=V=1');
    expect(run.stderr.match(/"legacy\/\*\*" matched no script/g)).toHaveLength(1);
    expect(run.stderr).toContain(`exclude in ${path.join(dir, 'ergate.config.json')}`);
    expect(run.stderr).not.toContain('"tests/legacy" matched no script');
    // --lf with no failure in the history runs everything, and says so.
    expect(run.stderr).toContain('--last-failed: no script failed last time; running all 2 scripts');
    expect(readFileSync(path.join(dir, '.ergate', '.gitignore'), 'utf8')).toMatch(/^\*$/m);

    // --lf now runs only what failed; --dry-run lists failed-first and ends with a count.
    const json2 = path.join(dir, 'b.json');
    const again = await runCli(['run', '--python', PYTHON, '--last-failed', '--json', json2], {}, dir);
    expect(again.code).toBe(1);
    expect(names(JSON.parse(readFileSync(json2, 'utf8')) as Report, dir)).toEqual(['tests/web/test_orders.py']);
    const list = await runCli(['run', 'tests', '--dry-run', '--order', 'failed-first'], {}, dir);
    expect(list.code).toBe(0);
    expect(list.stdout.trim().split('\n')).toEqual([
      'tests/web/test_orders.py',
      'tests/api/test_orders.py',
      'tests/legacy/test_old.py',
    ]);
    expect(list.stderr).toContain('3 scripts would run.');
  }, 120_000);

  it('-k, -x, --durations 0, --color always and --timeout 1m30s; --json /dev/stdout (as -) owns stdout', async () => {
    const dir = project();
    const picked = await runCli(
      ['run', 'tests', '-k', 'api/', '-x', '--durations', '0', '--color', 'always', '--timeout', '1m30s'],
      { ERGATE_PYTHON: PYTHON },
      dir,
    );
    expect(picked.code).toBe(0);
    expect(picked.stdout).toContain('\u001b[32mPASS');
    expect(picked.stdout).toContain('tests/api/test_orders.py');
    expect(picked.stdout).not.toContain('tests/web/');
    expect(picked.stdout).not.toContain('Slowest:');

    const piped = await runCli(
      ['run', 'tests/api', 'tests/legacy', '--python', PYTHON, '--json', '/dev/stdout'],
      {},
      dir,
    );
    expect(piped.code).toBe(0);
    const report = JSON.parse(piped.stdout) as Report; // nothing but the report on stdout
    expect(report.total).toBe(2);
    expect(piped.stderr).toContain('2 scripts: 2 passed');
    expect(piped.stderr).toMatch(/PASS\s+tests\/api\/test_orders\.py/);
  }, 120_000);

  it('in pytest mode, -k goes to pytest (its test selection) instead of filtering paths', async () => {
    const dir = makeTempDir();
    writeTree(dir, {
      'tests/test_pick.py': 'def test_alpha():\n    pass\n\ndef test_beta():\n    assert False\n',
    });
    const json = path.join(dir, 'r.json');
    const run = await runCli(['run', 'tests', '--pytest', '-k', 'alpha', '--python', PYTHON, '--json', json], {}, dir);
    expect(run.code).toBe(0); // test_beta, which fails, was deselected by pytest
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      results: Array<{ tests: { passed: number; failed: number } }>;
    };
    expect(report.results[0].tests).toMatchObject({ passed: 1, failed: 0 });
  }, 60_000);

  it('without a path or config runs the working folder', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'one.py': '', 'sub/two.py': '' });
    const list = await runCli(['run', '--list'], {}, dir);
    expect(list.stdout.trim().split('\n')).toEqual(['one.py', 'sub/two.py']);
  }, 60_000);

  it.each([
    [['-s'], /-s is pytest's; ergate's is --show-output/],
    [['--junitxml', 'x.xml'], /--junitxml is pytest's; ergate's is --junit FILE/],
    [['--color', 'sometimes'], /--color: expected auto, always or never/],
    [['-q', '-v'], /-q and -v ask for opposite things/],
    [['-j', '2', '-n', '2'], /-j and -n both set/],
    [['--durations-file', 'd.json'], /--durations-file balances --shard/],
    [['--env', '1X=2'], /--env: expected NAME=VALUE/],
    [['-k', 'no-such-text'], /-k "no-such-text": no script path contains it \(of 3 scripts\)/],
    [['--timeout', '1s1m'], /--timeout: expected a duration/],
  ])('refuses %j, naming what to use', async (flags, message) => {
    const dir = project();
    const { code, stderr } = await runCli(['run', 'tests', ...flags], {}, dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
