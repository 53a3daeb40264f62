// The supported Python range, per start method, against every CPython the machine has
// (pyenv: /root/.pyenv/versions/*): 3.6-3.13 run scripts and time them out in both methods;
// an older one is refused before anything runs, in one line naming its version and the way
// out (a TypeError from runScript and runScripts, exit 2 from the CLI). A forkserver child lists
// the modules it imported (--preload auto's learning) on each of them.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParallelRunner, runScript } from '../../src/index.ts';
import { runCli } from '../cli/run-cli.ts';
import { fixture } from './helpers.ts';

const VERSIONS = '/root/.pyenv/versions';
const SITE = path.resolve(fixture('hello.py'), '..', 'preload-auto', 'site-packages');
const installed = readdirSync(VERSIONS).sort();
const supported = installed.filter((v) => /^3\.(\d+)\./.test(v) && Number(/^3\.(\d+)/.exec(v)![1]) >= 6);
const tooOld = installed.filter((v) => v.startsWith('2.'));

describe.each(['spawn', 'forkserver'] as const)('interpreters (%s)', (startMethod) => {
  it('the machine has the range this suite claims', () => {
    expect(supported.map((v) => /^3\.\d+/.exec(v)![0])).toEqual([
      '3.10',
      '3.11',
      '3.12',
      '3.13',
      '3.6',
      '3.7',
      '3.8',
      '3.9',
    ]);
    expect(tooOld).toHaveLength(1);
  });

  it.each(supported)('Python %s runs a script and times one out', async (version) => {
    const python = path.join(VERSIONS, version, 'bin', 'python3');
    const passed = await runScript(fixture('hello.py'), { python, startMethod });
    expect(passed).toMatchObject({ status: 'passed', error: null });
    const timedOut = await runScript(fixture('forever.py'), { python, startMethod, timeoutMs: 300, killGraceMs: 100 });
    expect(timedOut).toMatchObject({ status: 'timeout', error: 'timed out after 300 ms' });
  });

  it.each(tooOld)('Python %s is refused up front with a TypeError naming its version', async (version) => {
    const python = path.join(VERSIONS, version, 'bin', 'python');
    const expected = new RegExp(
      `^startMethod '${startMethod}' needs Python 3\\.6 or newer, but \\S+ is Python 2\\.7: give options\\.python`,
    );
    await expect(runScript(fixture('hello.py'), { python, startMethod })).rejects.toThrow(expected);
    await expect(runScript(fixture('hello.py'), { python, startMethod })).rejects.toBeInstanceOf(TypeError);
    await using runner = new ParallelRunner({ python, startMethod });
    await expect(runner.runScripts([fixture('hello.py')])).rejects.toThrow(expected);
    const cli = await runCli(['run', fixture('hello.py'), '--python', python, '--start-method', startMethod]);
    expect(cli.code).toBe(2);
    // One line says it all (the CLI adds its usual pointer to --help below it).
    expect(cli.stderr.split('\n')[0]).toMatch(
      /^ergate: startMethod '\w+' needs Python 3\.6 or newer, but \S+ is Python 2\.7: give/,
    );
  });
});

it.each(supported)('Python %s: a forked child lists the third-party modules it imported', async (version) => {
  const python = path.join(VERSIONS, version, 'bin', 'python3');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-imports-'));
  const script = path.join(dir, 'uses_quietmod.py');
  writeFileSync(script, `import sys\nsys.path.insert(0, ${JSON.stringify(SITE)})\nimport quietmod\n`);
  await using runner = new ParallelRunner({ python, startMethod: 'forkserver' });
  const [result] = (await runner.runScripts([script], { recordImports: true })).results;
  expect(result.status).toBe('passed');
  expect(result.imports).toHaveProperty('quietmod');
});
