// Pure pieces of the CLI: durations, sizes, joblog parsing, script collection order,
// the did-you-mean suggestion.
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectScripts } from '../../src/cli/selection/collect-scripts.ts';
import { JoblogWriter, readJoblog, selectNotPassed } from '../../src/cli/reports/joblog.ts';
import { closestMatch } from '../../src/internal/did-you-mean.ts';
import { parseDuration } from '../../src/cli/settings/parse-duration.ts';
import { parseMemoryMb } from '../../src/cli/settings/parse-size.ts';
import { errorResult } from '../../src/script/script-result.ts';
import { makeTempDir } from '../parallel/helpers.ts';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1.5', 1_500],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h 5m', 3_900_000],
    ['2m0.5s', 120_500],
    ['1s250ms', 1_250],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', 'soon', '-1s', '0', '10x', '1s1m', '1m1m', '1m30', 'm30s'])('%j is refused', (text) =>
    expect(parseDuration(text)).toBeNull(),
  );
});

describe('joblog', () => {
  it('keeps the last status of each script and selects the ones that did not pass', async () => {
    const file = path.join(makeTempDir(), 'jobs.tsv');
    const warn = (message: string): never => {
      throw new Error(message);
    };
    const log = new JoblogWriter(file, 'file', warn);
    log.append(errorResult('/s/a.py', 'x', 'failed'));
    log.append(errorResult('/s/b.py', 'x', 'timeout'));
    await log.close();
    const again = new JoblogWriter(file, 'file', warn);
    again.append({ ...errorResult('/s/a.py', 'x', 'passed'), error: null });
    await again.close();
    const statuses = readJoblog(file);
    expect(Object.fromEntries(statuses)).toEqual({ '/s/a.py': 'passed', '/s/b.py': 'failed' });
    expect(selectNotPassed(['/s/a.py', '/s/b.py', '/s/c.py'], statuses)).toEqual(['/s/b.py', '/s/c.py']);
  });

  it("reads ergate's earlier layout and lines appended in the new one", () => {
    const file = path.join(makeTempDir(), 'jobs.tsv');
    const old = ['name\tstatus\texit_code\tduration_ms\tstart_time\tscript', 'a.py\tfailed\t1\t5\tT\t/s/a.py'];
    const parallel = [
      '1\t:\t1700000000.000\t     0.005\t0\t0\t0\t0\t/s/b.py',
      '2\t:\t1700000000.000\t     0.005\t0\t0\t-1\t9\t/s/c.py',
    ];
    writeFileSync(file, [...old, ...parallel, ''].join('\n'));
    expect(Object.fromEntries(readJoblog(file))).toEqual({
      '/s/a.py': 'failed',
      '/s/b.py': 'passed',
      '/s/c.py': 'failed',
    });
  });
});

describe('collectScripts', () => {
  it('searches folders recursively in sorted order, skips caches, de-duplicates', async () => {
    const dir = makeTempDir();
    for (const f of ['b.py', 'a.py', 'sub/c.py', '__pycache__/x.py', 'notes.txt']) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), '');
    }
    const found = await collectScripts([dir, path.join(dir, 'a.py')], '**/*.py');
    expect(found.map((f) => path.relative(dir, f))).toEqual(['a.py', 'b.py', path.join('sub', 'c.py')]);
  });
});

describe('parseMemoryMb', () => {
  it.each([
    ['512M', 512],
    ['2G', 2048],
    ['1.5g', 1536],
    ['512MiB', 512],
    ['256', 256],
    ['1T', 1024 * 1024],
  ])('%s is %d MiB', (text, mib) => expect(parseMemoryMb(text)).toBe(mib));
  it.each(['', 'lots', '-1G', '0', '512Q', '100K'])('%j is refused', (text) => expect(parseMemoryMb(text)).toBeNull());
});

describe('closestMatch', () => {
  it('suggests a near flag and nothing for a far one', () => {
    const flags = ['--json', '--junit', '--jobs', '--timeout'];
    expect(closestMatch('--jsno', flags)).toBe('--json');
    expect(closestMatch('--timeuot', flags)).toBe('--timeout');
    expect(closestMatch('--frobnicate', flags)).toBeNull();
  });
});
