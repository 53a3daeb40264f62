// Lost Redis state is never a success (issue 23, point 1), through the real CLI and a real
// worker: FLUSHDB mid-run makes every unfinished script an 'error' saying the job is gone,
// noticed within seconds (the coordinator's presence key), far before --redis-timeout; a
// restart of a Redis with AOF (appendfsync always) loses nothing and the run passes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  freePort,
  isAlive,
  startCli,
  startWorker,
  stopWorker,
  waitForLine,
  waitUntil,
  type WorkerProcess,
} from './cluster.ts';

let base: string;
let port: number;
let server: ChildProcess | null = null;
const workers: WorkerProcess[] = [];

/** redis-server with AOF on, fsync on every write, in `base`/data: a restart loses nothing. */
async function startDurableRedis(): Promise<void> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      path.join(base, 'data'),
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  server = child;
  await waitForLine(child, /Ready to accept connections/, 'redis-server');
}

async function killRedis(): Promise<void> {
  const child = server!;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

/** A root of three scripts: one quick, two that mark their start and wait for `release` (or 60 s). */
function makeRoot(name: string): { root: string; marks: string; release: string } {
  const root = path.join(base, name);
  const marks = path.join(base, `${name}-marks`);
  const release = path.join(base, `${name}-release`);
  fs.mkdirSync(root);
  fs.mkdirSync(marks);
  fs.writeFileSync(path.join(root, 'a_quick.py'), 'print("quick")\n');
  const slow = `import os, time
open(os.path.join(${JSON.stringify(marks)}, str(os.getpid())), "w").close()
deadline = time.time() + 60
while not os.path.exists(${JSON.stringify(release)}) and time.time() < deadline:
    time.sleep(0.05)
`;
  for (const script of ['b_slow.py', 'c_slow.py', 'd_queued.py']) fs.writeFileSync(path.join(root, script), slow);
  return { root, marks, release };
}

beforeAll(async () => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-lost-state-'));
  fs.mkdirSync(path.join(base, 'data'));
  port = await freePort();
  await startDurableRedis();
});

afterAll(async () => {
  for (const worker of workers) await stopWorker(worker);
  if (server) await killRedis();
  fs.rmSync(base, { recursive: true, force: true });
});

function run(root: string, queue: string, json: string): ReturnType<typeof startCli> {
  const url = `redis://127.0.0.1:${port}`;
  return startCli(['run', root, '--redis', url, '--queue', queue, '--root', root, '--json', json, '--no-progress']);
}

interface Report {
  success: boolean;
  total: number;
  passed: number;
  results: Array<{ name: string; status: string; error: string | null }>;
}

it('a Redis with AOF restarted mid-run loses nothing: every script passes', async () => {
  const { root, marks, release } = makeRoot('durable');
  const url = `redis://127.0.0.1:${port}`;
  workers.push(await startWorker(['--redis', url, '--queue', 'durable', '-j', '2', '--root', root, '--grace', '1s']));
  const json = path.join(base, 'durable.json');
  const cli = run(root, 'durable', json);
  await waitUntil(
    () => fs.readdirSync(marks).length === 2 && cli.output().includes('a_quick.py'),
    'the quick script to pass and two slow ones to start',
  );
  await killRedis();
  await startDurableRedis();
  await waitUntil(() => /connection to redis at .* is back/.test(cli.output()), 'the coordinator to reconnect', 60_000);
  fs.writeFileSync(release, '');
  expect(await cli.exited).toBe(0);
  const report = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;
  expect(report).toMatchObject({ success: true, total: 4, passed: 4 });
}, 120_000);

it('FLUSHDB mid-run: unfinished scripts are errors (the job is gone), noticed within seconds, exit 1', async () => {
  const { root, marks } = makeRoot('flushed');
  const url = `redis://127.0.0.1:${port}`;
  const worker = await startWorker(['--redis', url, '--queue', 'flushed', '-j', '2', '--root', root, '--grace', '1s']);
  workers.push(worker);
  const json = path.join(base, 'flushed.json');
  const cli = run(root, 'flushed', json);
  await waitUntil(
    () => fs.readdirSync(marks).length === 2 && cli.output().includes('a_quick.py'),
    'the quick script to pass and two slow ones to start',
  );
  const flush = spawnSync('redis-cli', ['-p', String(port), 'flushdb'], { encoding: 'utf8' });
  expect(flush.stdout.trim()).toBe('OK');
  const flushedAt = Date.now();
  const code = await cli.exited;
  // --redis-timeout is 60 s: the run ends on the presence key, not on a timeout.
  expect(Date.now() - flushedAt).toBeLessThan(30_000);
  expect(code).toBe(1);
  expect(cli.output()).toMatch(/lost this run's jobs \(flushed, or restarted without persistence\)/);
  const report = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;
  expect(report).toMatchObject({ success: false, total: 4, passed: 1 });
  for (const result of report.results.filter((r) => r.name !== 'a_quick.py')) {
    expect(result.status).toBe('error');
    expect(result.error).toContain(
      'lost: the job is gone from Redis; was Redis flushed or restarted without persistence?',
    );
  }
  // The worker still runs the two orphaned scripts; stopping it hands them back and kills them.
  const pids = fs.readdirSync(marks).map(Number);
  expect(await stopWorker(worker)).toBe(0);
  for (const pid of pids) await waitUntil(() => !isAlive(pid), `script ${pid} to be gone`, 10_000);
}, 120_000);
