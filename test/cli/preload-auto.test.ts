// --preload auto: a forkserver run learns which third-party modules each file's child had
// imported; the next run preloads them (a module then comes from the warm launcher, not the
// child), a module that starts a thread when imported is left out and said once, and
// `--list --preload auto` shows the learned list.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { PreloadAuto } from '../../src/cli/settings/preload-auto.ts';
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

it('learns installed packages, the one under test too, but never test modules or deep extension modules', () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'ergate-preload-learn-'));
  const site = '/usr/lib/python3/dist-packages';
  const venv = path.join(cwd, '.venv/lib/python3.11/site-packages');
  const script = path.join(site, 'networkx/tests/test_graph.py');
  const auto = new PreloadAuto(path.join(cwd, 'imports.json'));
  auto.add({
    script,
    imports: {
      networkx: `${site}/networkx/__init__.py`, // the suite lives inside it: still installed
      numpy: `${venv}/numpy/__init__.py`, // a virtualenv inside the project
      pydot: `${site}/pydot.py`,
      _csparsetools: `${site}/scipy/sparse/_csparsetools.cpython-311-x86_64-linux-gnu.so`,
      test_helpers: `${site}/suite/tests/test_helpers.py`,
      conftest: `${site}/suite/conftest.py`,
    },
  } as unknown as ScriptResult);
  expect(auto.modulesFor([script], true)).toEqual(['pytest', 'networkx', 'numpy', 'pydot']);
});
