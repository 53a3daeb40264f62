// A coordinator that dies mid-run (SIGKILL) loses nothing: the workers go on, and another
// coordinator re-attaches by run id and collects every script once.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { attachRun } from '../../src/index.ts';
import {
  readMarks,
  REPO,
  SCRIPTS,
  startRedis,
  startWorker,
  stopWorker,
  waitForLine,
  waitUntil,
  type RedisServer,
  type WorkerProcess,
} from './cluster.ts';

const QUEUE = 'attach';
const COORDINATOR = fileURLToPath(new URL('./fixtures/coordinator.ts', import.meta.url));
let redis: RedisServer;
let worker: WorkerProcess;
let marks: string;

beforeAll(async () => {
  redis = await startRedis();
  marks = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-marks-'));
  worker = await startWorker(['--redis', redis.url, '--queue', QUEUE, '-j', '2', '--root', SCRIPTS]);
});

afterAll(async () => {
  expect(await stopWorker(worker)).toBe(0);
  await redis?.stop();
  fs.rmSync(marks, { recursive: true, force: true });
});

it('re-attaches to a run by id after its coordinator was killed', async () => {
  const scripts = ['marked_sleep.py', 'passes.py', 'fails.py', 'marked_sleep.py'].map((s) => path.join(SCRIPTS, s));
  const coordinator = spawn(
    process.execPath,
    ['--import', 'tsx', COORDINATOR, redis.url, QUEUE, SCRIPTS, marks, ...scripts],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const runId = (await waitForLine(coordinator, /^run /, 'coordinator')).slice(4).trim();
  await waitUntil(() => readMarks(marks).size >= 1, 'a script to start');
  coordinator.kill('SIGKILL');
  await new Promise((r) => coordinator.once('exit', r));
  // With a window of 1, the dead coordinator never added the last script's job: attachRun adds it.
  const queue = new Queue(QUEUE, { connection: { host: '127.0.0.1', port: redis.port } });
  expect(await queue.getJob(`${runId}.3`)).toBeUndefined();
  await queue.close();

  const collected: string[] = [];
  const result = await attachRun(runId, {
    redis: redis.url,
    queue: QUEUE,
    root: SCRIPTS,
    onResult: (r) => collected.push(r.name),
  });
  expect(result.toJSON()).toMatchObject({ total: 4, passed: 3, failed: 1, timeout: 0, skipped: 0 });
  expect(result.results.map((r) => r.script).sort()).toEqual([...scripts].sort());
  expect(collected.sort()).toEqual(scripts.map((s) => path.basename(s)).sort());
});

it('says plainly when there is no such run', async () => {
  await expect(attachRun('no-such-run', { redis: redis.url, queue: QUEUE })).rejects.toThrow(
    /no run "no-such-run" in queue attach on redis:\/\/127\.0\.0\.1:\d+\/0/,
  );
});
