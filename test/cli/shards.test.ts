// CI at scale through the real CLI: --shard I/N balanced by --durations-file (longest first to
// the lightest shard, the same on every machine), --store-durations from the history, and
// `ergate merge-reports` turning the shards' JSON reports into one run's JSON, JUnit and exit code.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dealByDuration } from '../../src/cli/selection/shard-by-duration.ts';
import { PYTHON, makeTempDir } from '../parallel/helpers.ts';
import { parseJunit, runCli, writeTree } from './run-cli.ts';

const SCRIPTS = ['t/a.py', 't/b.py', 't/c.py', 't/d.py', 't/e.py', 't/f.py', 't/g.py'];

function tree(): string {
  const dir = makeTempDir();
  writeTree(dir, Object.fromEntries(SCRIPTS.map((s) => [s, s === 't/c.py' ? 'raise SystemExit(3)\n' : ''])));
  return dir;
}

const listed = (stdout: string): string[] => stdout.trim().split('\n');

describe('--shard with --durations-file', () => {
  it('deals longest first to the lightest shard; ties by path; missing scripts count as the median', async () => {
    const dir = tree();
    // f.py and g.py are missing from the file: each counts as the median (1000).
    const durations = { 't/a.py': 3000, 't/b.py': 1000, 't/c.py': 1000, 't/d.py': 500, 't/e.py': 2000 };
    writeFileSync(path.join(dir, 'durations.json'), JSON.stringify(durations));
    const shards = await Promise.all(
      [1, 2].map((i) =>
        runCli(['run', 't', '--shard', `${i}/2`, '--durations-file', 'durations.json', '--dry-run'], {}, dir),
      ),
    );
    // a(3000)->1, e(2000)->2, then b, c, f, g (1000 each, by path) each to the lighter shard
    // (a tie goes to shard 1), then d(500): 5000 ms against 4500 ms.
    expect(listed(shards[0].stdout)).toEqual(['t/a.py', 't/c.py', 't/g.py']);
    expect(listed(shards[1].stdout)).toEqual(['t/b.py', 't/d.py', 't/e.py', 't/f.py']);
    // The count split of the same tree, for contrast: every other script.
    const byCount = await runCli(['run', 't', '--shard', '1/2', '--dry-run'], {}, dir);
    expect(listed(byCount.stdout)).toEqual(['t/a.py', 't/c.py', 't/e.py', 't/g.py']);
  }, 60_000);

  it('is deterministic whatever order the scripts arrive in', () => {
    const scripts = Array.from({ length: 40 }, (_, i) => `/r/s${String(i).padStart(2, '0')}.py`);
    const ms = (s: string): number => (Number(s.slice(5, 7)) % 7) * 100; // many ties
    const once = dealByDuration(scripts, 4, ms);
    const shuffled = [...scripts].reverse();
    const again = dealByDuration(shuffled, 4, ms);
    expect(again.map((s) => [...s.scripts].sort())).toEqual(once.map((s) => s.scripts));
    expect(once.flatMap((s) => s.scripts).sort()).toEqual(scripts);
  });
});

describe('--store-durations and merge-reports', () => {
  it('stores the medians, and merges the shards into one report with one exit code', async () => {
    const dir = tree();
    const store = path.join(dir, 'durations.json');
    writeFileSync(store, JSON.stringify({ 't/gone.py': 7, 'other/kept.py': 9 }));
    writeTree(dir, { 'other/kept.py': '' });
    const reports = [path.join(dir, 's1.json'), path.join(dir, 's2.json')];
    const runs = [];
    for (const [i, report] of reports.entries()) {
      const args = ['run', 't', '--python', PYTHON, '--shard', `${i + 1}/2`, '--json', report];
      runs.push(await runCli(i === 0 ? [...args, '--store-durations', store] : args, {}, dir));
    }
    expect(runs.map((r) => r.code)).toEqual([1, 0]); // c.py (shard 1) fails
    const stored = JSON.parse(readFileSync(store, 'utf8')) as Record<string, number>;
    expect(Object.keys(stored)).toEqual(['other/kept.py', 't/a.py', 't/c.py', 't/e.py', 't/g.py']);
    for (const key of ['t/a.py', 't/c.py']) expect(stored[key]).toBeGreaterThan(0);
    expect(runs[0].stderr).toContain('stored the median durations of 4 scripts');

    const json = path.join(dir, 'all.json');
    const junit = path.join(dir, 'all.xml');
    const html = path.join(dir, 'all.html');
    const merged = await runCli(
      ['merge-reports', ...reports, '--json', json, '--junit', junit, '--html', html],
      {},
      dir,
    );
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain('7 scripts: 6 passed, 1 failed, 0 timed out, 0 skipped');
    const all = JSON.parse(readFileSync(json, 'utf8')) as {
      results: Array<{ script: string }>;
      total: number;
      failed: number;
      success: boolean;
    };
    expect(all).toMatchObject({ total: 7, failed: 1, success: false });
    expect(all.results.map((r) => path.relative(dir, r.script)).sort()).toEqual(SCRIPTS);
    const { suite, cases } = parseJunit(readFileSync(junit, 'utf8'));
    expect(suite).toMatchObject({ '@_tests': '7', '@_failures': '1' });
    expect(cases.map((c) => c['@_file']).sort()).toEqual(SCRIPTS);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*t\/c\.py/i);

    // A script in two reports is counted once (the later report's result), with a warning.
    const twice = await runCli(['merge-reports', reports[1], reports[1], '--json', '-'], {}, dir);
    expect(twice.code).toBe(0);
    expect((JSON.parse(twice.stdout) as { total: number }).total).toBe(3);
    expect(twice.stderr.match(/is in .*s2\.json and .*s2\.json/g)).toHaveLength(3);

    const bad = await runCli(['merge-reports', store], {}, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/durations\.json is not an ergate JSON report/);
  }, 120_000);
});
