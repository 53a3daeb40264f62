// Jobs carry no code and no coordinator environment; the Redis password (URL or
// ERGATE_REDIS_PASSWORD) never appears in any output or error message.
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ParallelRunner } from '../../src/index.ts';
import {
  PYTHON,
  SCRIPTS,
  startRedis,
  startWorker,
  stopWorker,
  type RedisServer,
  type WorkerProcess,
} from './cluster.ts';

const PASSWORD = 'pw-Zq81-never-print-me';
const QUEUE = 'secure';
let redis: RedisServer;
let worker: WorkerProcess;

beforeAll(async () => {
  redis = await startRedis(['--requirepass', PASSWORD]);
  // The worker gets the password from the environment, the coordinator from the URL.
  worker = await startWorker(['--redis', redis.url, '--queue', QUEUE, '-j', '1', '--root', SCRIPTS], {
    ERGATE_REDIS_PASSWORD: PASSWORD,
  });
});

afterAll(async () => {
  await stopWorker(worker);
  await redis?.stop();
});

it('never prints the password and sends no code or coordinator environment', async () => {
  const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
  process.env.ERGATE_TEST_COORDINATOR_SECRET = 'coordinator-only-value';
  try {
    await using runner = new ParallelRunner({
      python: PYTHON,
      backend: { redis: url, queue: QUEUE, root: SCRIPTS, runId: 'secure-run' },
    });
    const result = await runner.runScripts([path.join(SCRIPTS, 'passes.py')], { env: { GREETING: 'hello' } });
    expect(result.results[0]).toMatchObject({ status: 'passed' });
    expect(result.results[0].stdout).toContain('greeting hello');
  } finally {
    delete process.env.ERGATE_TEST_COORDINATOR_SECRET;
  }
  const queue = new Queue(QUEUE, { connection: { host: '127.0.0.1', port: redis.port, password: PASSWORD } });
  const job = await queue.getJob('secure-run.0');
  await queue.close();
  const data = JSON.stringify(job!.data);
  expect(job!.data).toMatchObject({ script: 'passes.py', env: { GREETING: 'hello' } });
  expect(data).not.toContain('coordinator-only-value');
  expect(data).not.toContain(SCRIPTS); // a path relative to the shared root, nothing machine-specific
  expect(worker.output()).not.toContain(PASSWORD);
  expect(worker.output()).toContain(`redis://:***@127.0.0.1:${redis.port}/0`);
});

it('reports an unreachable or refused Redis without the password', async () => {
  const wrong = 'wrong-Pw-77-do-not-show';
  await using runner = new ParallelRunner({
    python: PYTHON,
    backend: { redis: `redis://:${wrong}@127.0.0.1:${redis.port}`, queue: QUEUE, root: SCRIPTS },
  });
  const error = await runner.runScripts([path.join(SCRIPTS, 'passes.py')]).catch((e: Error) => e);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(/^cannot reach redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0/);
  expect((error as Error).message).not.toContain(wrong);
});

it('a worker with a wrong password exits 1 with a plain message and no password', async () => {
  const { spawn } = await import('node:child_process');
  const { REPO } = await import('./cluster.ts');
  const wrong = 'wrong-Pw-88-do-not-show';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--redis', `redis://:${wrong}@127.0.0.1:${redis.port}`],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout.on('data', (c: Buffer) => {
    text += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const code = await new Promise((r) => child.once('exit', r));
  expect(code).toBe(1);
  expect(text).toMatch(/cannot reach redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0/);
  expect(text).not.toContain(wrong);
});
