// `ergate run --pytest`: the fixture suite (passing, failing, fixture error, skip, xfail,
// xpass, odd parametrised ids, a collection error, a file with no tests, a hanging test under
// a timeout, a session fixture in conftest.py, a test that starts a subprocess) in both start
// methods, forkserver also warm (--preload pytest: pytest configured once in the server), with
// the same per-file exit codes and per-test results: discovery by pytest's naming, per-test
// results in --json, one JUnit case per test, failing tests named on the console, and every
// child gone afterwards.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScriptResult } from '../../src/script/types.ts';
import { waitUntilGone } from '../script/helpers.ts';
import { parseJunit, ROOT, runCli } from './run-cli.ts';

const SUITE = 'test/fixtures/pytest-suite';

describe.each([
  ['spawn', []],
  ['forkserver', []],
  ['forkserver', ['--preload', 'pytest']],
] as const)('ergate run --pytest (%s %s)', (method, preload) => {
  it('runs each test file with pytest and reports every test', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-pytest-'));
    const config = path.join(dir, 'ergate.config.json');
    writeFileSync(config, JSON.stringify({ timeout: '120s', overrides: [{ files: 'hang_test.py', timeout: '2s' }] }));
    const json = path.join(dir, 'run.json');
    const junit = path.join(dir, 'run.xml');
    const run = await runCli([
      'run',
      '--pytest',
      SUITE,
      '--config',
      config,
      '--python',
      '/usr/bin/python3',
      '--start-method',
      method,
      ...preload,
      '--no-history',
      '-j',
      '2',
      '--json',
      json,
      '--junit',
      junit,
      '--',
      '-k',
      'not test_method',
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { results: ScriptResult[] };
    const byFile = new Map(report.results.map((r) => [path.relative(path.join(ROOT, SUITE), r.script), r]));
    expect([...byFile.keys()].sort()).toEqual([
      'pkg/hang_test.py',
      'pkg/test_collect_error.py',
      'pkg/test_empty.py',
      'test_basic.py',
    ]);
    const basic = byFile.get('test_basic.py')!;
    expect(basic.tests).toEqual({ passed: 6, failed: 1, errors: 1, skipped: 1, xfailed: 1, xpassed: 1 });
    expect(basic.testCases!.map((t) => t.id)).toContain('test_basic.py::test_odd_ids[a::b]');
    expect(Object.fromEntries([...byFile].map(([file, r]) => [file, r.exitCode]))).toEqual({
      'pkg/hang_test.py': null,
      'pkg/test_collect_error.py': 2,
      'pkg/test_empty.py': 5,
      'test_basic.py': 1,
    });
    expect(byFile.get('pkg/test_collect_error.py')!.testCases).toMatchObject([
      { id: 'pkg/test_collect_error.py', status: 'error' },
    ]);
    expect(byFile.get('pkg/test_empty.py')).toMatchObject({
      status: 'failed',
      error: 'no tests collected (pytest exit code 5)',
      testCases: [],
    });
    expect(byFile.get('pkg/hang_test.py')).toMatchObject({ status: 'timeout', tests: null });
    for (const result of report.results) await waitUntilGone(result.pid!);

    const { cases } = parseJunit(readFileSync(junit, 'utf8'));
    expect(cases).toHaveLength(11 + 1 + 1 + 1); // tests of test_basic (one deselected by -k after --), the collection error, two files failing outside tests
    expect(cases.find((c) => c['@_name'] === 'test_xfail')?.skipped).toBeDefined();
    expect(cases.find((c) => c['@_name'] === 'test_fails')?.failure).toBeDefined();
    expect(cases.find((c) => c['@_name'] === 'hang_test.py')?.failure).toBeDefined();

    expect(run.stdout).toMatch(/FAIL +test_basic\.py::test_fails {2}AssertionError: arithmetic is broken/);
    expect(run.stdout).toContain('12 tests: 6 passed, 1 failed, 2 errors, 1 skipped, 1 xfailed, 1 xpassed');
    expect(run.stdout).toMatch(/4 files: 0 passed, 3 failed, 1 timed out/);
  });
});
