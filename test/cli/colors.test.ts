// Issue 16.8: colours follow FORCE_COLOR, NO_COLOR, TERM=dumb and whether stdout is a
// terminal, decided by ergate itself (not by node:util's version-dependent checks), through
// the real CLI into a pipe and into a pseudo-terminal (util-linux `script`).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPalette, wantsColor } from '../../src/cli/console/colors.ts';
import { PYTHON, makeTempDir } from '../parallel/helpers.ts';
import { ROOT as root, runCli, writeTree } from './run-cli.ts';

const ESC = '\u001b[';

function tree(): string {
  const dir = makeTempDir();
  writeTree(dir, { 'ok.py': 'pass\n', 'bad.py': 'raise SystemExit(1)\n' });
  return dir;
}

describe('colours into a pipe', () => {
  it.each([
    [{}, false],
    [{ FORCE_COLOR: '1' }, true],
    [{ FORCE_COLOR: '' }, true],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, true], // as Node: a supported FORCE_COLOR ignores NO_COLOR
    [{ FORCE_COLOR: '1', TERM: 'dumb' }, true],
    [{ FORCE_COLOR: '0' }, false],
    [{ FORCE_COLOR: 'false' }, false],
    [{ NO_COLOR: '1' }, false],
  ])('%j -> colour %s', async (env, coloured) => {
    const { NO_COLOR: _n, FORCE_COLOR: _f, ...clean } = process.env;
    const { stdout } = await runCli(['run', '.', '--python', PYTHON], { ...clean, ...env }, tree());
    expect(stdout.includes(ESC)).toBe(coloured);
    expect(stdout).toContain('2 scripts');
  });
});

describe('colours on a terminal', () => {
  // `script` gives the CLI a pseudo-terminal for stdout and stderr.
  function onTerminal(env: Record<string, string>): string {
    const cwd = tree();
    const { NO_COLOR: _n, FORCE_COLOR: _f, ...clean } = process.env;
    const command = `${process.execPath} ${path.join(root, 'bin', 'ergate.js')} run . --python ${PYTHON} --no-progress`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], {
      cwd,
      env: { ...clean, TERM: 'xterm', ...env },
      encoding: 'utf8',
    });
    expect(result.stdout).toContain('2 scripts');
    return result.stdout;
  }

  it('colours by default, not with NO_COLOR or TERM=dumb', () => {
    expect(onTerminal({}).includes(ESC)).toBe(true);
    expect(onTerminal({ NO_COLOR: '1' }).includes(ESC)).toBe(false);
    expect(onTerminal({ TERM: 'dumb' }).includes(ESC)).toBe(false);
    expect(onTerminal({ NO_COLOR: '' }).includes(ESC)).toBe(true); // empty NO_COLOR: no-color.org says ignore it
  });
});

describe('wantsColor and createPalette', () => {
  const tty = { isTTY: true } as unknown as NodeJS.WritableStream;
  it('decides from env first, then the stream', () => {
    expect(wantsColor(tty, {})).toBe(true);
    expect(wantsColor(tty, { TERM: 'dumb' })).toBe(false);
    expect(wantsColor({ isTTY: false } as unknown as NodeJS.WritableStream, { FORCE_COLOR: '3' })).toBe(true);
  });
  it('writes plain text when disabled, SGR codes that nest when enabled', () => {
    expect(createPalette(false).red('x')).toBe('x');
    const p = createPalette(true);
    expect(p.red(p.bold('x'))).toBe('\u001b[31m\u001b[1mx\u001b[22m\u001b[39m');
  });
});
