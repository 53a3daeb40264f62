// --preload auto: a forkserver run learns which third-party modules each file's child had
// imported; the next run preloads them (a module then comes from the warm launcher, not the
// child), a module that starts a thread when imported is left out and said once, and
// `--list --preload auto` shows the learned list.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { ScriptResult } from '../../src/script/types.ts';
import { waitUntilGone } from '../script/helpers.ts';
import { ROOT, runCli } from './run-cli.ts';

const FIXTURE = path.join(ROOT, 'test/fixtures/preload-auto');

it('learns the imports, preloads them next time, and leaves out a module that starts a thread', async () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'ergate-preload-'));
  const env = { PYTHONPATH: path.join(FIXTURE, 'site-packages') };
  const json = path.join(cwd, 'run.json');
  const args = ['run', '--pytest', path.join(FIXTURE, 'tests'), '--start-method', 'forkserver', '--preload', 'auto'];
  const run = async () => {
    const done = await runCli([...args, '--python', '/usr/bin/python3', '--json', json, '--', '-s'], env, cwd);
    const [result] = (JSON.parse(readFileSync(json, 'utf8')) as { results: ScriptResult[] }).results;
    await waitUntilGone(result.pid!);
    return { ...done, result: result };
  };

  const first = await run();
  expect(first.code).toBe(0);
  expect(first.result.stdout).toContain('quietmod imported here');

  const listed = await runCli([...args, '--list'], env, cwd);
  expect(listed.stdout).toMatch(/^preload auto: pytest, .*\bquietmod\b/m);
  expect(listed.stdout).toMatch(/^preload auto: .*\bthreadmod\b/m);

  const second = await run();
  expect(second.code).toBe(0);
  expect(second.result.stdout).toContain('quietmod preloaded');
  const refusals = second.stderr.match(/left out threadmod: it starts a thread when imported/g) ?? [];
  expect(refusals).toHaveLength(1);
});
