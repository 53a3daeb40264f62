// Functions as FunctionRef jobs: runRemoteFunction and AsyncScheduler.scheduleFunction send a
// module path (relative to the shared root) and an export name, never code; a real `ergate
// worker` imports the module from its own --root and runs it through runFunction.
import path from 'node:path';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AsyncScheduler, runRemoteFunction, type FunctionResult } from '../../src/index.ts';
import { SCRIPTS, startRedis, startWorker, stopWorker, type RedisServer, type WorkerProcess } from './cluster.ts';

const QUEUE = 'functions';
const MODULE = path.join(SCRIPTS, 'functions.mjs');
let redis: RedisServer;
let worker: WorkerProcess;
const backend = (): { redis: string; queue: string; root: string } => ({
  redis: redis.url,
  queue: QUEUE,
  root: SCRIPTS,
});

beforeAll(async () => {
  redis = await startRedis();
  worker = await startWorker([
    '--redis',
    redis.url,
    '--queue',
    QUEUE,
    '-j',
    '2',
    '--root',
    SCRIPTS,
    '--functions',
    SCRIPTS,
  ]);
});

afterAll(async () => {
  expect(await stopWorker(worker)).toBe(0);
  await redis?.stop();
});

/** Polls an async condition (returns as soon as it holds). */
async function waitUntilAsync(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('runs a module export on the worker and returns its FunctionResult', async () => {
  const sum = await runRemoteFunction<number>({ module: MODULE, export: 'add' }, { args: [2, 3] }, backend());
  expect(sum).toMatchObject({ type: 'function', status: 'passed', result: 5, error: null, name: 'add', attempts: 1 });
  expect(sum.worker).toBe(`${os.hostname()}:${worker.pid}`);
  // It ran in the worker's process (a file URL names the module just as well).
  const where = await runRemoteFunction<{ got: unknown; pid: number }>(
    { module: pathToFileURL(MODULE), export: 'describe' },
    { args: [{ a: [1] }] },
    backend(),
  );
  expect(where.result).toEqual({ got: { a: [1] }, pid: worker.pid });

  const thrown = await runRemoteFunction({ module: MODULE, export: 'fail' }, { args: ['no'], maxRuns: 2 }, backend());
  expect(thrown).toMatchObject({ status: 'failed', error: 'no', errorType: 'RangeError', attempts: 2 });
  const timedOut = await runRemoteFunction({ module: MODULE, export: 'hang' }, { timeoutMs: 300 }, backend());
  expect(timedOut).toMatchObject({ status: 'timeout', error: 'timed out after 300 ms' });
});

it('refuses a plain function and a module outside the shared root with a TypeError', async () => {
  const plain = (a: number) => a + 1;
  await expect(runRemoteFunction(plain as never, {}, backend())).rejects.toThrow(
    /jobs carry no code: pass a FunctionRef/,
  );
  await expect(runRemoteFunction({ module: path.join(os.tmpdir(), 'x.mjs') }, {}, backend())).rejects.toThrow(
    /fn\.module: .* is outside the shared root/,
  );
  await expect(runRemoteFunction({ module: MODULE, export: 'add' }, { args: [1n] }, backend())).rejects.toThrow(
    /options\.args: expected JSON values/,
  );
  await using scheduler = new AsyncScheduler({ backend: backend() });
  expect(() => scheduler.scheduleFunction(plain as never)).toThrow(TypeError);
  expect(() => scheduler.scheduleFunction(plain as never)).toThrow(
    /AsyncScheduler\.scheduleFunction fn: jobs carry no code/,
  );
  expect(scheduler.metrics.jobsScheduled).toBe(0);
});

it('schedules FunctionRef jobs on the workers, and in-process without a backend', async () => {
  await using remote = new AsyncScheduler({ backend: backend() });
  const ok = remote.scheduleFunction({ module: MODULE, export: 'add' }, { args: [20, 22], priority: 1 });
  const bad = remote.scheduleFunction({ module: MODULE, export: 'fail' }, { args: ['boom'] });
  const hung = remote.scheduleFunction({ module: MODULE, export: 'hang' });
  const all = remote.runAll();
  // Cancelled while it runs on the worker: the worker's runFunction stops its thread.
  const queue = new Queue<{ export: string }>(QUEUE, { connection: { host: '127.0.0.1', port: redis.port } });
  try {
    await waitUntilAsync(
      async () => (await queue.getActive()).some((job) => job.data.export === 'hang'),
      'the hanging call to start',
    );
    expect(remote.cancel(hung)).toBe(true);
    await all;
    await remote.close();
    const [job] = (await queue.getCompleted()).filter((j) => j.data.export === 'hang');
    expect(job.returnvalue).toMatchObject({ status: 'cancelled', name: 'hang' });
  } finally {
    await queue.close();
  }
  expect(remote.getJob(ok)).toMatchObject({ status: 'completed', name: 'add' });
  expect((remote.getJob(ok)!.result as FunctionResult<number> & { worker: string }).worker).toBe(
    `${os.hostname()}:${worker.pid}`,
  );
  expect(remote.getJob(ok)!.result).toMatchObject({ status: 'passed', result: 42 });
  expect(remote.getJob(bad)).toMatchObject({ status: 'failed', error: 'boom' });
  expect(remote.getJob(hung)!.status).toBe('cancelled');

  await using local = new AsyncScheduler();
  const here = local.scheduleFunction({ module: MODULE, export: 'describe' }, { args: ['x'] });
  await local.runAll();
  expect(local.getJob(here)!.result).toMatchObject({ status: 'passed', result: { got: 'x', pid: process.pid } });
});
