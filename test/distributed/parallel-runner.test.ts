// ParallelRunner with backend { redis }: the same results, progress and counts as
// in-process, with scripts run by two real `ergate worker` processes.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchRunner, ParallelRunner } from '../../src/index.ts';
import {
  PYTHON,
  SCRIPTS,
  startRedis,
  startWorker,
  stopWorker,
  type RedisServer,
  type WorkerProcess,
} from './cluster.ts';

const QUEUE = 'basic';
let redis: RedisServer;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  workers = await Promise.all(
    [1, 2].map(() => startWorker(['--redis', redis.url, '--queue', QUEUE, '-j', '2', '--root', SCRIPTS])),
  );
});

afterAll(async () => {
  const codes = await Promise.all(workers.map((w) => stopWorker(w)));
  expect(codes).toEqual([0, 0]);
  await redis?.stop();
});

describe('ParallelRunner over Redis', () => {
  it('reports every script once, with the same statuses, progress and counts as in-process', async () => {
    const scripts = ['passes.py', 'fails.py', 'sub/forever.py', 'missing.py'].map((s) => path.join(SCRIPTS, s));
    const configs = { 'forever.py': { timeoutMs: 1500 }, 'passes.py': { args: ['a b', 'c'], env: { GREETING: 'hi' } } };
    const remoteProgress: string[] = [];
    const localProgress: string[] = [];
    const backend = { redis: redis.url, queue: QUEUE, root: SCRIPTS };
    await using remote = new ParallelRunner({
      python: PYTHON,
      backend,
      onProgress: (s, status) => remoteProgress.push(`${s} ${status}`),
    });
    await using local = new ParallelRunner({
      python: PYTHON,
      onProgress: (s, status) => localProgress.push(`${s} ${status}`),
    });

    const [a, b] = await Promise.all([remote.runScripts(scripts, { configs }), local.runScripts(scripts, { configs })]);

    expect(a.toJSON()).toMatchObject({ total: 4, passed: 1, failed: 2, timeout: 1, skipped: 0, success: false });
    expect({ ...a.toJSON(), durationMs: 0 }).toEqual({ ...b.toJSON(), durationMs: 0 });
    expect(remoteProgress.sort()).toEqual(localProgress.sort());
    const byName = new Map(a.results.map((r) => [r.name, r]));
    expect(a.results).toHaveLength(4);
    // Paths are this machine's; the worker that ran each is named.
    for (const r of a.results) {
      expect(scripts).toContain(r.script);
      expect((r as { worker?: string }).worker).toMatch(/:\d+$/);
      expect(r.attempts).toBe(1);
    }
    expect(byName.get('passes.py')!.stdout).toContain('greeting hi');
    expect(byName.get('passes.py')!.stdout).toContain('args a b c');
    expect(byName.get('passes.py')!.stdout).toContain(`cwd ${SCRIPTS}`);
    expect(byName.get('fails.py')).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(byName.get('forever.py')).toMatchObject({
      status: 'timeout',
      error: 'timed out after 1500 ms',
      subdirectory: 'sub',
    });
    expect(byName.get('missing.py')!.status).toBe('error');
  });

  it('runs retries as BullMQ attempts and reports the attempt count', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const marks = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-marks-'));
    await using runner = new ParallelRunner({
      python: PYTHON,
      backend: { redis: redis.url, queue: QUEUE, root: SCRIPTS, backoffMs: 10 },
    });
    const result = await runner.runScripts([path.join(SCRIPTS, 'flaky.py'), path.join(SCRIPTS, 'fails.py')], {
      retries: 1,
      env: { MARK_DIR: marks },
    });
    const byName = new Map(result.results.map((r) => [r.name, r]));
    expect(byName.get('flaky.py')).toMatchObject({ status: 'passed', attempts: 2 });
    expect(byName.get('fails.py')).toMatchObject({ status: 'failed', attempts: 2 });
    expect(result.toJSON()).toMatchObject({ total: 2, passed: 1, failed: 1 });
    fs.rmSync(marks, { recursive: true, force: true });
  });

  it('BatchRunner with a backend: the same counts, batch by batch, as in-process', async () => {
    const batches = [
      ['passes.py', 'fails.py'].map((s) => path.join(SCRIPTS, s)),
      ['passes.py', 'sub/forever.py', 'passes.py'].map((s) => path.join(SCRIPTS, s)),
    ];
    // 3 s: under heavy load a remote passes.py can take over 1 s, and only forever.py may time out.
    const options = { timeoutMs: 3_000, stopOnBatchFailure: false };
    await using remote = new BatchRunner({
      python: PYTHON,
      backend: { redis: redis.url, queue: QUEUE, root: SCRIPTS },
    });
    await using local = new BatchRunner({ python: PYTHON });
    const [a, b] = await Promise.all([remote.runBatches(batches, options), local.runBatches(batches, options)]);
    const counts = (results: typeof a) => results.map((r) => ({ ...r.toJSON(), durationMs: 0 }));
    expect(counts(a)).toEqual(counts(b));
    expect(counts(a)).toMatchObject([
      { total: 2, passed: 1, failed: 1 },
      { total: 3, passed: 2, timeout: 1 },
    ]);
    for (const r of a.flatMap((x) => x.results)) expect((r as { worker?: string }).worker).toMatch(/:\d+$/);
    // stopOnBatchFailure (the default) ends the sequence after the first failing batch there too.
    expect(await remote.runBatches(batches, { timeoutMs: 3_000 })).toHaveLength(1);
  });

  it('refuses a script outside the shared root as an error result, never sending it', async () => {
    await using runner = new ParallelRunner({
      python: PYTHON,
      backend: { redis: redis.url, queue: QUEUE, root: path.join(SCRIPTS, 'sub') },
    });
    const result = await runner.runScripts([path.join(SCRIPTS, 'passes.py')]);
    expect(result.results[0]).toMatchObject({ status: 'error' });
    expect(result.results[0].error).toMatch(/outside the shared root/);
  });

  it('names the option in a TypeError for a bad backend', () => {
    expect(() => new ParallelRunner({ backend: { redis: 'http://x' } })).toThrow(
      /backend\.redis: expected a redis:\/\/ or rediss:\/\/ URL/,
    );
    expect(() => new ParallelRunner({ backend: { redis: redis.url, queue: 'a:b' } })).toThrow(
      /backend\.queue: expected a queue name/,
    );
  });
});
