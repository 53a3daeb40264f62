// pytest mode's warm start (python/_ergate_pytest.py): with pytest preloaded in a forkserver,
// the configuration and the rootdir's conftest are made once in the server, before the fork;
// a conftest that starts a thread, or arguments naming test paths of their own, keep the
// plain `python -m pytest FILE` start. The fixture's tests pass only where WARM_EXPECT says
// the conftest was imported, and check sys.argv is what `python -m pytest` gives.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { ScriptResult } from '../../src/script/types.ts';
import { waitUntilGone } from '../script/helpers.ts';
import { ROOT, runCli } from './run-cli.ts';

const SUITE = path.join(ROOT, 'test/fixtures/pytest-warm');

async function run(args: string[], env: Record<string, string>, after: string[] = []) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-pytest-warm-'));
  const json = path.join(dir, 'run.json');
  const done = await runCli(
    [
      'run',
      '--pytest',
      SUITE,
      '--python',
      '/usr/bin/python3',
      '--no-history',
      '-j',
      '2',
      '--json',
      json,
      ...args,
      '--',
      ...after,
    ],
    env,
    dir,
  );
  const { results } = JSON.parse(readFileSync(json, 'utf8')) as { results: ScriptResult[] };
  for (const result of results) await waitUntilGone(result.pid!);
  const failures = results.flatMap((r) => (r.testCases ?? []).filter((t) => t.status !== 'passed'));
  return {
    code: done.code,
    files: results.length,
    tests: results.reduce((n, r) => n + (r.testCases?.length ?? 0), 0),
    failures,
  };
}

it.each([
  ['spawn', 'child', [], {}, []],
  ['forkserver, no pytest preloaded', 'child', ['--start-method', 'forkserver'], {}, []],
  ['forkserver, pytest preloaded', 'server', ['--start-method', 'forkserver', '--preload', 'pytest'], {}, []],
  [
    'forkserver, a conftest that starts a thread',
    'child',
    ['--start-method', 'forkserver', '--preload', 'pytest'],
    { WARM_FIXTURE_THREAD: '1' },
    [],
  ],
  [
    'forkserver, a test path after --',
    'child',
    ['--start-method', 'forkserver', '--preload', 'pytest'],
    {},
    [path.join(SUITE, 'test_other.py')],
  ],
] as const)('%s: the conftest is imported in the %s', async (_, expected, args, env, after) => {
  const done = await run([...args], { ...env, WARM_EXPECT: expected }, [...after]);
  expect(done.failures).toEqual([]);
  expect(done.code).toBe(0);
  expect(done.files).toBe(2);
  // With a path after --, each file's run also runs test_other.py (twice in its own run).
  expect(done.tests).toBe(after.length > 0 ? 7 : 5);
});
