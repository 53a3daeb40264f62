// Issue 16.4: --exclude (repeatable), the default skips of a folder search (__init__.py,
// conftest.py, setup.py, virtualenvs by pyvenv.cfg, site-packages), --list, --shard i/n (deterministic, disjoint, complete) and -j P%.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { readJobs } from '../../src/cli/settings/setting-values.ts';
import { PYTHON, makeTempDir } from '../parallel/helpers.ts';
import { runCli, writeTree } from './run-cli.ts';

const TREE = {
  'pkg/__init__.py': 'raise SystemExit(1)\n',
  'pkg/conftest.py': 'raise SystemExit(1)\n',
  'setup.py': 'raise SystemExit(1)\n',
  // A virtualenv by any name (pyvenv.cfg), and site-packages anywhere, are never searched.
  'env/pyvenv.cfg': 'home = /usr/bin\n',
  'env/bin/tool.py': 'raise SystemExit(1)\n',
  'vendor/site-packages/mod.py': 'raise SystemExit(1)\n',
  'pkg/test_a.py': 'pass\n',
  'pkg/test_b.py': 'pass\n',
  'legacy/test_old.py': 'pass\n',
  'slow_one.py': 'pass\n',
  'z.py': 'pass\n',
};

describe('choosing what runs', () => {
  it('--list prints the selection in order and runs nothing; searches skip __init__, conftest, setup, virtualenvs, site-packages', async () => {
    const dir = makeTempDir();
    writeTree(dir, TREE);
    const { code, stdout } = await runCli(['run', '.', '--list'], {}, dir);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      'legacy/test_old.py',
      'pkg/test_a.py',
      'pkg/test_b.py',
      'slow_one.py',
      'z.py',
    ]);
  });

  it('a file named on the command line runs even if a search would skip it', async () => {
    const dir = makeTempDir();
    writeTree(dir, TREE);
    const { stdout } = await runCli(['run', 'setup.py', 'pkg', '--list'], {}, dir);
    expect(stdout.trim().split('\n')).toEqual(['setup.py', 'pkg/test_a.py', 'pkg/test_b.py']);
  });

  it('--exclude is repeatable: a glob with "/" matches the relative path, one without matches file names', async () => {
    const dir = makeTempDir();
    writeTree(dir, TREE);
    const { stdout } = await runCli(['run', '.', '--list', '--exclude', 'legacy/**', '--exclude', 'slow_*'], {}, dir);
    expect(stdout.trim().split('\n')).toEqual(['pkg/test_a.py', 'pkg/test_b.py', 'z.py']);
    const all = await runCli(['run', 'z.py', '--exclude', '*.py'], {}, dir);
    expect(all.code).toBe(2);
    expect(all.stderr).toMatch(/all 1 matching scripts are excluded/);
  });

  it('--shard i/n splits the list into disjoint shares that cover it, the same on every call', async () => {
    const dir = makeTempDir();
    writeTree(dir, TREE);
    const full = (await runCli(['run', '.', '--list'], {}, dir)).stdout.trim().split('\n');
    const shards: string[][] = [];
    for (const i of [1, 2, 3])
      shards.push((await runCli(['run', '.', '--list', '--shard', `${i}/3`], {}, dir)).stdout.trim().split('\n'));
    expect(shards.flat().sort()).toEqual([...full].sort());
    expect(shards.map((s) => s.length)).toEqual([2, 2, 1]);
    const again = (await runCli(['run', '.', '--list', '--shard', '2/3'], {}, dir)).stdout.trim().split('\n');
    expect(again).toEqual(shards[1]);
    const bad = await runCli(['run', '.', '--shard', '4/3'], {}, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard: expected i\/n with 1 <= i <= n/);
  });

  it('a shard runs only its share', async () => {
    const dir = makeTempDir();
    writeTree(dir, TREE);
    const { code, stdout } = await runCli(['run', 'pkg', '--shard', '2/2', '--python', PYTHON], {}, dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PASS +pkg\/test_b\.py/m);
    expect(stdout).not.toContain('test_a.py');
    expect(stdout).toContain('1 script: 1 passed');
  });
});

// Each script announces itself and waits until `n` scripts run at once: it passes only if
// the CLI really runs n at a time.
const BARRIER = (n: number) =>
  [
    'import os, sys, time',
    'marks = os.environ["MARKS"]',
    'open(os.path.join(marks, str(os.getpid())), "w").close()',
    'deadline = time.time() + 20',
    `while len(os.listdir(marks)) < ${n}:`,
    '    if time.time() > deadline: sys.exit("never saw the others")',
    '    time.sleep(0.01)',
  ].join('\n');

describe('-j as a share of the cores', () => {
  it('200% runs twice as many scripts at once as there are cores; a bad value names the rule', async () => {
    expect(readJobs('--jobs', '200%', 4)).toBe(8);
    expect(readJobs('--jobs', '50%', 1)).toBe(1);
    const n = Math.floor(os.availableParallelism() * 2);
    const dir = makeTempDir();
    const marks = makeTempDir();
    writeTree(dir, Object.fromEntries(Array.from({ length: n }, (_, i) => [`w${i}.py`, BARRIER(n)])));
    const { code, stdout } = await runCli(['run', '.', '-j', '200%', '--python', PYTHON], { MARKS: marks }, dir);
    expect(stdout).toContain(`${n} scripts: ${n} passed`);
    expect(code).toBe(0);
    const bad = await runCli(['run', '.', '-j', 'lots'], {}, dir);
    expect(bad.stderr).toMatch(
      /--jobs: expected an integer >= 1 or a share of the cores such as 50% or 200%, got "lots"/,
    );
  });
});
