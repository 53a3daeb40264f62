// The live progress bar on a real terminal (the CLI under a pseudo-terminal made by Python's
// pty module): the ETA says "estimating" before anything finished, a failing script's line is
// printed above the bar the moment it fails (while another script still runs), and -v gives
// one line per script instead of the bar.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, isGoneSoon, makeTempDir, waitFor } from '../parallel/helpers.ts';
import { ROOT, writeTree } from './run-cli.ts';

const BIN = path.join(ROOT, 'bin', 'ergate.js');
// Runs argv on a new pseudo-terminal and copies what it prints to stdout; exits with its code.
const UNDER_PTY = 'import os, pty, sys\nsys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))';

function startOnTerminal(args: string[], cwd: string) {
  const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm', COLUMNS: '160' };
  for (const name of ['CI', 'NO_COLOR', 'FORCE_COLOR']) delete env[name];
  const child = spawn(PYTHON, ['-c', UNDER_PTY, process.execPath, BIN, ...args], {
    cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (c: Buffer) => (screen += c.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { screen: () => screen, done };
}

describe('the progress bar on a terminal', () => {
  it('says "estimating" first, and prints a failure above the bar while others still run', async () => {
    const dir = makeTempDir();
    const release = path.join(dir, 'release');
    const pidFile = path.join(dir, 'slow.pid');
    writeTree(dir, {
      't/a_fail.py': 'raise SystemExit("boom")\n',
      // Runs until the test has seen the failure's line, then ends.
      't/b_slow.py': [
        'import os, time',
        `open(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))`,
        `while not os.path.exists(${JSON.stringify(release)}): time.sleep(0.02)`,
      ].join('\n'),
    });
    const run = startOnTerminal(
      ['run', 't', '-j', '2', '--python', PYTHON, '--timeout', '2m', '--color', 'never'],
      dir,
    );
    await waitFor(() => /FAIL\s+t\/a_fail\.py/.test(run.screen()), 'the FAIL line on the terminal', 60_000);
    expect(existsSync(release)).toBe(false); // b_slow.py is still running: the line came at once
    expect(run.screen()).toContain('ETA estimating');
    await waitFor(() => existsSync(pidFile), 'the slow script to start', 60_000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    writeFileSync(release, '');
    expect(await run.done).toBe(1);
    expect(run.screen()).toContain('2 scripts: 1 passed, 1 failed');
    expect(await isGoneSoon(pid)).toBe(true);
  }, 120_000);

  it('-v prints one line per script instead of the bar', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'ok.py': '' });
    const run = startOnTerminal(['run', 'ok.py', '-v', '--python', PYTHON, '--color', 'never'], dir);
    expect(await run.done).toBe(0);
    expect(run.screen()).toMatch(/PASS\s+ok\.py/);
    expect(run.screen()).not.toContain('ETA');
  }, 60_000);
});
