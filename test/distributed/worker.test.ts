// `ergate worker` shutdown: SIGTERM stops taking jobs; a running script past --grace is
// killed (no child survives) and its job handed back to the queue, where another worker
// runs it; the script is still reported once, with both attempts counted.
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ErgateWorker, ParallelRunner } from '../../src/index.ts';
import { parseWorkerArgs } from '../../src/cli/worker-command.ts';
import {
  isAlive,
  PYTHON,
  readMarks,
  REPO,
  SCRIPTS,
  startWorker,
  stopWorker,
  useCluster,
  waitUntil,
  type WorkerProcess,
} from './cluster.ts';

const QUEUE = 'handback';
// Each test starts the workers it needs.
const cluster = useCluster({ queue: QUEUE, workers: 0, jobs: 1, marks: 'file' });
const started: WorkerProcess[] = [];

afterAll(async () => {
  for (const w of started) await stopWorker(w);
});

it('hands a running job back on SIGTERM after the grace period, killing its child', async () => {
  const args = cluster.args;
  const first = await startWorker([...args, '--grace', '200ms']);
  started.push(first);
  await using runner = new ParallelRunner({
    python: PYTHON,
    backend: { redis: cluster.redis.url, queue: QUEUE, root: SCRIPTS },
  });
  const run = runner.runScripts([path.join(SCRIPTS, 'slow_once.py')], { env: { MARK_DIR: cluster.marks } });
  await waitUntil(() => readMarks(cluster.marks).size === 1, 'the slow first run to start');
  const [childPid] = readMarks(cluster.marks).keys();
  started.push(await startWorker(args));

  expect(await stopWorker(first)).toBe(0);
  expect(isAlive(childPid)).toBe(false);
  expect(first.output()).toMatch(/handed back/);

  const result = await run;
  expect(result.toJSON()).toMatchObject({ total: 1, passed: 1, skipped: 0 });
  expect(result.results[0]).toMatchObject({ status: 'passed', attempts: 2 });
  expect(result.results[0].stdout).toContain('quick run');
  expect((result.results[0] as { worker?: string }).worker).toBe(`${os.hostname()}:${started[1].pid}`);
});

it('starts every script launcher before taking jobs, so no job pays for one', async () => {
  await using worker = await ErgateWorker.start({
    redis: cluster.redis.url,
    queue: 'primed',
    concurrency: 3,
    root: SCRIPTS,
    python: PYTHON,
  });
  // Every launcher the pool will use (one per core, slots shared among them) is already up.
  expect(worker.launcherPids).toHaveLength(Math.min(3, os.availableParallelism()));
});

it('starts scripts by forking a warm interpreter with startMethod forkserver, its preloads already imported', async () => {
  const root = path.join(REPO, 'test/fixtures/forkserver');
  const ran = async (startMethod: 'spawn' | 'forkserver'): Promise<string> => {
    const queue = `start-${startMethod}`;
    await using worker = await ErgateWorker.start({
      ...{ redis: cluster.redis.url, queue, concurrency: 1, root, python: PYTHON },
      ...{ startMethod, preload: ['decimal'] },
    });
    expect(worker.launcherPids).toHaveLength(1);
    await using runner = new ParallelRunner({ python: PYTHON, backend: { redis: cluster.redis.url, queue, root } });
    const result = await runner.runScripts([path.join(root, 'modules.py')], {
      configs: { 'modules.py': { args: ['decimal'] } },
    });
    expect(result.results[0]).toMatchObject({ status: 'passed' });
    return result.results[0].stdout.trim();
  };
  expect(await ran('forkserver')).toBe('decimal');
  // A spawned interpreter imports only what the script does: the preload belongs to fork servers.
  expect(await ran('spawn')).toBe('');
  await expect(
    ErgateWorker.start({ redis: cluster.redis.url, root, python: PYTHON, startMethod: 'fork' as 'spawn' }),
  ).rejects.toThrow(/ErgateWorker options\.startMethod: expected 'spawn' or 'forkserver'/);
});

it('refuses bad worker flags with a message naming the flag', () => {
  expect(() => parseWorkerArgs(['--redis', 'redis://x', '-j', '0'])).toThrow(
    /--jobs: expected the number of jobs run at once, an integer >= 1, got "0"/,
  );
  expect(() => parseWorkerArgs(['--redis', 'redis://x', '--grace', 'soon'])).toThrow(/--grace: expected a duration/);
  expect(() => parseWorkerArgs(['--bogus'])).toThrow(/^unknown option --bogus$/);
  expect(() => parseWorkerArgs(['--rot', '/srv'])).toThrow(/^unknown option --rot \(did you mean --root\?\)$/);
  expect(() => parseWorkerArgs(['--redis', 'redis://x', '--max-output', 'lots'])).toThrow(
    /--max-output: expected a size such as 512M or 2G \(a bare number is MiB\), got "lots"/,
  );
  expect(() => parseWorkerArgs(['--redis', 'redis://x', '--max-timeout', 'never'])).toThrow(
    /--max-timeout: expected a duration/,
  );
  expect(() => parseWorkerArgs(['--redis', 'redis://x', '--start-method', 'fork'])).toThrow(
    /--start-method: expected spawn or forkserver, got "fork"/,
  );
  expect(() => parseWorkerArgs(['--redis', 'redis://x', '--preload', 'numpy'])).toThrow(
    /--preload needs --start-method forkserver/,
  );
  expect(
    parseWorkerArgs(['--redis', 'redis://x', '--start-method', 'forkserver', '--preload', 'numpy,json']).options,
  ).toMatchObject({ startMethod: 'forkserver', preload: ['numpy', 'json'] });
  expect(
    parseWorkerArgs([
      '--redis',
      'redis://x',
      '--functions',
      'a',
      '--functions',
      'b',
      '--allow-env',
      'PYTHONPATH,LD_PRELOAD',
      '--allow-env',
      'NODE_PATH',
      '--max-output',
      '2MiB',
      '--max-timeout',
      '5m',
    ]).options,
  ).toMatchObject({
    functions: ['a', 'b'],
    allowEnv: ['PYTHONPATH', 'LD_PRELOAD', 'NODE_PATH'],
    maxOutputBytes: 2 * 1024 * 1024,
    maxTimeoutMs: 300_000,
  });
});
