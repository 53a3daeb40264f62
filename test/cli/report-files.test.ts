// The CLI's report files at their edges, through the real CLI: a FIFO report or joblog is
// written to directly (never renamed over, never blocking the run while nobody reads it), a
// bad report path exits 2 before any script runs, a report whose write fails is said once
// and leaves neither a temp file nor a half report, a joblog on a full disk keeps every
// console line, and a closed stdout (`| head -1`) ends console output, not the run.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PYTHON, makeTempDir, waitFor } from '../parallel/helpers.ts';
import { finish, startCli, startCliInShell, type CliRun } from './run-cli.ts';

const children: Array<ReturnType<typeof startCli>> = [];
afterEach(() => {
  // A test that failed while the CLI still waits (e.g. on a FIFO) must not leave it behind.
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A folder of `count` passing scripts; script i waits for `<dir>/go<i>` when i is in `gated`. */
function scriptsDir(count: number, gated: number[] = []): string {
  const dir = makeTempDir('ergate-reports-');
  for (let i = 0; i < count; i++) {
    const wait = gated.includes(i)
      ? `import os, time\nwhile not os.path.exists(${JSON.stringify(path.join(dir, `go${i}`))}): time.sleep(0.01)\n`
      : '';
    writeFileSync(path.join(dir, `s${i}.py`), `${wait}print("script ${i}")\n`);
  }
  return dir;
}

function start(args: string[]): { child: ReturnType<typeof startCli>; done: Promise<CliRun> } {
  const child = startCli(['run', ...args, '--python', PYTHON, '-j', '1']);
  children.push(child);
  return { child, done: finish(child) };
}

function readAll(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    createReadStream(file, 'utf8')
      .on('data', (c) => (text += String(c)))
      .on('end', () => resolve(text))
      .on('error', reject);
  });
}

function mkfifo(file: string): string {
  execFileSync('mkfifo', [file]);
  return file;
}

describe('report files', () => {
  it('--junit to a FIFO: written through the pipe once the run is over, the FIFO stays a FIFO', async () => {
    const dir = scriptsDir(3);
    const fifo = mkfifo(path.join(makeTempDir(), 'junit.fifo'));
    const run = start([dir, '--junit', fifo]);
    let stdout = '';
    run.child.stdout.on('data', (c) => (stdout += c));
    // The whole run happens with nobody reading the FIFO.
    await waitFor(() => (stdout.match(/PASS/g) ?? []).length === 3, 'three PASS lines');
    const xml = await readAll(fifo);
    const { code } = await run.done;
    expect(code).toBe(0);
    expect(xml).toMatch(/^<\?xml/);
    expect(xml).toMatch(/<testsuite name="ergate run" tests="3" failures="0" errors="0" skipped="0"/);
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  }, 60_000);

  it('--joblog to a FIFO without a reader never blocks the run; the lines arrive once one reads', async () => {
    const dir = scriptsDir(3);
    const fifo = mkfifo(path.join(makeTempDir(), 'jobs.fifo'));
    const run = start([dir, '--joblog', fifo]);
    let stdout = '';
    run.child.stdout.on('data', (c) => (stdout += c));
    await waitFor(
      () => (stdout.match(/PASS/g) ?? []).length === 3,
      'three PASS lines with nobody reading the joblog',
      20_000,
    );
    const lines = (await readAll(fifo)).trim().split('\n');
    expect((await run.done).code).toBe(0);
    expect(lines[0]).toMatch(/^Seq\tHost/);
    expect(
      lines
        .slice(1)
        .map((l) => path.basename(l.split('\t')[8]))
        .sort(),
    ).toEqual(['s0.py', 's1.py', 's2.py']);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  }, 60_000);

  it.each([
    [
      'a missing folder',
      (tmp: string) => path.join(tmp, 'no', 'such', 'report.json'),
      /--json: the folder .* does not exist/,
    ],
    ['a folder', (tmp: string) => tmp, /--json: .* is a folder, not a file/],
  ])(
    '--json into %s exits 2 before any script runs',
    async (_, target, message) => {
      const dir = scriptsDir(1);
      writeFileSync(path.join(dir, 's0.py'), `open(${JSON.stringify(path.join(dir, 'ran'))}, "w").close()\n`);
      const { code, stderr } = await start([dir, '--json', target(makeTempDir())]).done;
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(existsSync(path.join(dir, 'ran'))).toBe(false);
    },
    60_000,
  );

  it('--json at a unix socket exits 2 before any script runs, and leaves the socket alone', async () => {
    const dir = scriptsDir(1);
    writeFileSync(path.join(dir, 's0.py'), `open(${JSON.stringify(path.join(dir, 'ran'))}, "w").close()\n`);
    const socket = path.join(makeTempDir(), 'report.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const { code, stderr } = await start([dir, '--json', socket]).done;
      expect(code).toBe(2);
      expect(stderr).toMatch(/--json: .*report\.sock is not a regular file, character device or FIFO/);
      expect(existsSync(path.join(dir, 'ran'))).toBe(false);
      expect(lstatSync(socket).isSocket()).toBe(true);
    } finally {
      server.close();
    }
  }, 60_000);

  it('a report whose write fails (file size limit) is said once, leaves no temp file and the old report intact', async () => {
    const dir = scriptsDir(2);
    writeFileSync(path.join(dir, 's1.py'), 'for _ in range(40000): print("x" * 99)\n'); // 4 MiB of stdout: the JSON outgrows the limit, the JUnit tail does not
    const reports = makeTempDir();
    const json = path.join(reports, 'report.json');
    const junit = path.join(reports, 'junit.xml');
    writeFileSync(json, '{"old": true}\n');
    // RLIMIT_FSIZE 2 MiB: a write past it fails with EFBIG (Node ignores SIGXFSZ).
    const child = startCliInShell('ulimit -f 4096', ['run', dir, '--python', PYTHON, '--json', json, '--junit', junit]);
    children.push(child);
    const { code, stdout, stderr } = await finish(child);
    expect(code).toBe(1);
    expect(stderr.match(/--json: could not write .*report\.json: .*EFBIG/g)).toHaveLength(1);
    expect(stdout.match(/PASS/g)).toHaveLength(2);
    expect(readFileSync(json, 'utf8')).toBe('{"old": true}\n');
    expect(readFileSync(junit, 'utf8')).toMatch(/tests="2" failures="0"/);
    expect(readdirSync(reports).sort()).toEqual(['junit.xml', 'report.json']);
  }, 60_000);

  it('a joblog that cannot be written (disk full) is said once; every console line and the JSON report remain; exit 1', async () => {
    const dir = scriptsDir(3);
    const json = path.join(makeTempDir(), 'report.json');
    const { code, stdout, stderr } = await start([dir, '--joblog', '/dev/full', '--json', json]).done;
    expect(stderr.match(/--joblog: could not write to \/dev\/full: .*ENOSPC/g)).toHaveLength(1);
    expect(stdout.match(/PASS/g)).toHaveLength(3);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ total: 3, passed: 3, success: true });
    // every report failure makes the exit code at least 1, the joblog's too
    expect(code).toBe(1);
  }, 60_000);
});

describe('a closed stdout', () => {
  it('`ergate run ... | head -1`: console output ends quietly, the run and its reports complete', async () => {
    const dir = scriptsDir(3, [1]);
    const reports = makeTempDir();
    const json = path.join(reports, 'report.json');
    const junit = path.join(reports, 'junit.xml');
    const run = start([dir, '--json', json, '--junit', junit]);
    await new Promise((resolve) => run.child.stdout.once('data', resolve));
    run.child.stdout.destroy(); // the reader goes away, as head does after its line
    writeFileSync(path.join(dir, 'go1'), ''); // only now do the next lines get written
    const { code, stderr } = await run.done;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ total: 3, passed: 3, success: true });
    expect(readFileSync(junit, 'utf8')).toMatch(/tests="3" failures="0"/);
  }, 60_000);
});
