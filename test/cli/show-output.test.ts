// Issue 16.2: --show-output / --tag print each script's output live, whole lines only, each
// prefixed with the script's relative path; the summary shows the stdout tail of a failure
// beside its stderr tail.
import { describe, expect, it } from 'vitest';
import { PYTHON, makeTempDir } from '../parallel/helpers.ts';
import { runCli, startCli, writeTree } from './run-cli.ts';

// Writes a line in three pieces with flushes in between, so the CLI receives partial lines.
const PIECES = [
  'import sys, time',
  'for i in range(3):',
  '    for part in (f"line {i} ", "in ", "pieces\\n"):',
  '        sys.stdout.write(part); sys.stdout.flush(); time.sleep(0.01)',
  'sys.stderr.write("warn: no newline at the end")',
].join('\n');

describe('--show-output', () => {
  it.each(['spawn', 'forkserver'])(
    'prints whole lines prefixed with the script path, stdout and stderr apart (%s)',
    async (method) => {
      const dir = makeTempDir();
      writeTree(dir, { 'a/job.py': PIECES, 'b/job.py': PIECES });
      const args = ['run', '.', '--python', PYTHON, '-j', '2', '--show-output', '-q', '--start-method', method];
      const { code, stdout, stderr } = await runCli(args, {}, dir);
      expect(code).toBe(0);
      for (const name of ['a/job.py', 'b/job.py']) {
        const lines = stdout.split('\n').filter((l) => l.startsWith(`${name}\t`));
        expect(lines).toEqual([0, 1, 2].map((i) => `${name}\tline ${i} in pieces`));
        expect(stderr).toContain(`${name}\twarn: no newline at the end\n`);
      }
      // Nothing but whole tagged lines (and the summary) reaches stdout.
      const untagged = stdout.split('\n').filter((l) => l !== '' && !l.includes('\t'));
      expect(untagged.every((l) => /script|Slowest|^\s+\d/.test(l))).toBe(true);
    },
  );

  it('--tag is the same, and lines arrive while the script still runs', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'slow.py': 'import time\nprint("first", flush=True)\ntime.sleep(60)\n' });
    const child = startCli(['run', 'slow.py', '--python', PYTHON, '--tag', '--timeout', '30s'], {}, dir);
    let out = '';
    const firstLine = new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('slow.py\tfirst\n')) resolve();
      });
    });
    await firstLine; // printed live: the script is still sleeping
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
  });
});

describe('the summary of a failure', () => {
  it('shows the stdout tail beside the stderr tail', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'bad.py': 'import sys\nprint("progress 99%")\nprint("boom", file=sys.stderr)\nsys.exit(3)\n' });
    const { code, stdout } = await runCli(['run', 'bad.py', '--python', PYTHON], {}, dir);
    expect(code).toBe(1);
    const summary = stdout.slice(stdout.indexOf('--- FAILED: bad.py'));
    expect(summary).toMatch(/stdout:\n\s+\| progress 99%\n\s+stderr:\n\s+\| boom/);
  });
});
