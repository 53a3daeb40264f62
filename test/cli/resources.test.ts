// The CLI's resource flags (issue 18): the run history in .ergate/ of the working folder,
// --timeout P% from it, --no-history, a corrupt history, and bad values refused.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PYTHON, makeTempDir } from '../parallel/helpers.ts';
import { runCli, writeTree } from './run-cli.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function project(): string {
  const dir = makeTempDir('ergate-cli-resources-');
  dirs.push(dir);
  // Quick, unless a file named "slow" sits beside it: then it never ends.
  writeTree(dir, {
    'tests/check.py':
      'import os, time\nif os.path.exists(os.path.join(os.path.dirname(__file__), "slow")):\n    time.sleep(3600)\n',
  });
  return dir;
}

const history = (dir: string) => path.join(dir, '.ergate', 'history.ndjson');

describe('ergate run: history', () => {
  it('records each run in .ergate/history.ndjson; --timeout 300% then cuts a script at 3x its median (with a floor)', async () => {
    const dir = project();
    const first = await runCli(['run', 'tests', '--python', PYTHON], {}, dir);
    expect(first.code).toBe(0);
    const lines = fs.readFileSync(history(dir), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const recorded = JSON.parse(lines[0]) as { s: string; d: number; st: string };
    expect(recorded).toMatchObject({ s: path.join(dir, 'tests', 'check.py'), st: 'passed' });

    fs.writeFileSync(path.join(dir, 'tests', 'slow'), '');
    const second = await runCli(
      ['run', 'tests', '--python', PYTHON, '--timeout', '300%', '--timeout-min', '400ms', '--timeout-max', '20s'],
      {},
      dir,
    );
    expect(second.code).toBe(1);
    // 3x the one recorded duration, or the floor when that is shorter.
    expect(second.stdout).toContain(`timed out after ${Math.max(400, Math.round(recorded.d * 3))} ms`);
  });

  it('a script without history gets --timeout-max', async () => {
    const dir = project();
    fs.writeFileSync(path.join(dir, 'tests', 'slow'), '');
    const run = await runCli(
      ['run', 'tests', '--python', PYTHON, '--timeout', '300%', '--timeout-max', '700ms'],
      {},
      dir,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('timed out after 700 ms');
  });

  it('--no-history writes nothing', async () => {
    const dir = project();
    const run = await runCli(['run', 'tests', '--python', PYTHON, '--no-history'], {}, dir);
    expect(run.code).toBe(0);
    expect(fs.existsSync(path.join(dir, '.ergate'))).toBe(false);
  });

  it('a corrupt history is ignored with one warning', async () => {
    const dir = project();
    fs.mkdirSync(path.join(dir, '.ergate'));
    fs.writeFileSync(history(dir), '\u0000\u0001 not a history\n{"half": \n');
    const run = await runCli(['run', 'tests', '--python', PYTHON, '--order', 'longest-first'], {}, dir);
    expect(run.code).toBe(0);
    const warnings = run.stderr.split('\n').filter((line) => line.includes('corrupt'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`ignored 2 corrupt lines of the run history ${history(dir)}`);
  });
});

describe('ergate run: resource flags', () => {
  it.each([
    [['--order', 'random'], '--order: expected one of given, longest-first, failed-first, got "random"'],
    [['--timeout-min', '1s'], '--timeout-min needs --timeout P%'],
    [['--timeout', '0%'], '--timeout: expected a percentage above 0%'],
    [['--tree-memory', 'lots'], '--tree-memory: expected a size such as 512M or 2G'],
    [['--memory-budget', '-5'], '--memory-budget: expected a size such as 512M or 2G'],
    [['--timeout', '200%', '--no-history'], '--timeout P% needs the run history: drop --no-history'],
    [['--sample', 'often'], '--sample: expected a duration'],
    [
      ['--timeout', '300%', '--timeout-max', 'none'],
      '--timeout-max: expected a duration such as 30s, 500ms or 2m, got "none"',
    ],
    [
      ['--timeout', '300%', '--timeout-min', 'soon'],
      '--timeout-min: expected a duration such as 30s, 500ms or 2m, got "soon"',
    ],
  ])('%j is refused with exit 2', async (flags, message) => {
    const run = await runCli(['run', 'tests', ...flags], {}, project());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
