// --preload auto: a forkserver run learns which third-party modules each file's child had
// imported; the next run preloads them (a module then comes from the warm launcher, not the
// child), a module that starts a thread when imported is left out and said once, and
// `--list --preload auto` shows the learned list. The probe's verdict is reused while the
// modules' files are unchanged, and probed again when one changes.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

it("reuses the probe's verdict while the modules are unchanged, and probes again when one changes", async () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'ergate-preload-cache-'));
  const site = path.join(cwd, 'site-packages');
  mkdirSync(site);
  for (const name of ['quietmod.py', 'threadmod.py'])
    copyFileSync(path.join(FIXTURE, 'site-packages', name), path.join(site, name));
  const json = path.join(cwd, 'run.json');
  const cache = path.join(cwd, '.ergate/preload-probe.json');
  const run = async () => {
    const args = ['run', '--pytest', path.join(FIXTURE, 'tests'), '--start-method', 'forkserver', '--preload', 'auto'];
    const done = await runCli(
      [...args, '--python', '/usr/bin/python3', '--json', json, '--', '-s'],
      { PYTHONPATH: site },
      cwd,
    );
    const [result] = (JSON.parse(readFileSync(json, 'utf8')) as { results: ScriptResult[] }).results;
    await waitUntilGone(result.pid!);
    expect(done.code).toBe(0);
    return { stdout: result.stdout, stderr: done.stderr };
  };

  await run(); // learns
  const probed = await run();
  expect(probed.stdout).toContain('quietmod preloaded');
  const kept = readFileSync(cache, 'utf8');
  const entry = JSON.parse(kept) as { result: { ok: string[]; threaded: string[][]; fingerprint: object } };
  const verdict = entry.result;
  expect(Object.keys(entry).sort()).toEqual(['key', 'probedAt', 'result']); // the fingerprint is kept once, in the result
  expect(Object.keys(verdict.fingerprint).length).toBeGreaterThan(0);
  expect(verdict.ok).toContain('quietmod');
  expect(verdict.threaded).toEqual([['threadmod', 'threadmod']]);

  const reused = await run();
  expect(reused.stdout).toContain('quietmod preloaded');
  expect(reused.stderr.match(/left out threadmod: it starts a thread when imported/g) ?? []).toHaveLength(1);
  expect(readFileSync(cache, 'utf8')).toBe(kept); // not probed again: the same verdict, the same probedAt

  const source = readFileSync(path.join(site, 'quietmod.py'), 'utf8');
  writeFileSync(path.join(site, 'quietmod.py'), `${source}\nimport threadmod  # now it starts a thread too\n`);
  const changed = await run();
  expect(changed.stderr).toContain('left out quietmod: it imports threadmod, which starts a thread when imported');
  expect(changed.stdout).toContain('quietmod imported here');
  expect(readFileSync(cache, 'utf8')).not.toBe(kept);
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
