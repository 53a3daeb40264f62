// The coordinator at queue scale, through the real CLI (`ergate run --redis`), a loopback
// redis-server and two real `ergate worker`s: every job's result is exactly what its worker
// reported (issue 14, point 10), and Redis commands per job do not grow with the run's size
// (issue 17, point 2: INFO commandstats, 200 jobs against 2,000).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCliProcess, startRedis, startWorker, stopWorker, type RedisServer, type WorkerProcess } from './cluster.ts';

const QUEUE = 'scale';
let redis: RedisServer;
let root: string;
let workers: WorkerProcess[] = [];

/** Writes `count` scripts that each print their own number, in a folder of their own. */
function writeScripts(folder: string, count: number): string {
  const dir = path.join(root, folder);
  fs.mkdirSync(dir);
  for (let i = 0; i < count; i++)
    fs.writeFileSync(path.join(dir, `job_${String(i).padStart(5, '0')}.py`), `print(${i})\n`);
  return dir;
}

async function commandCalls(): Promise<number> {
  const client = new Redis(redis.port, '127.0.0.1');
  try {
    const text = await client.info('commandstats');
    let total = 0;
    for (const match of text.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm)) {
      if (!/^(info|config)/.test(match[1])) total += Number(match[2]);
    }
    return total;
  } finally {
    client.disconnect();
  }
}

async function resetStats(): Promise<void> {
  const client = new Redis(redis.port, '127.0.0.1');
  await client.config('RESETSTAT');
  client.disconnect();
}

/** Runs a folder through the CLI; returns the JSON report and the Redis commands the run cost. */
async function runFolder(dir: string): Promise<{
  code: number | null;
  report: {
    results: Array<{ name: string; status: string; stdout: string; error: string | null; worker?: string }>;
    total: number;
    passed: number;
  };
  perJob: number;
}> {
  const json = path.join(root, `${path.basename(dir)}.json`);
  await resetStats();
  const { code, output } = await runCliProcess([
    'run',
    dir,
    '--redis',
    redis.url,
    '--queue',
    QUEUE,
    '--root',
    root,
    '--json',
    json,
    '-q',
  ]);
  const calls = await commandCalls();
  if (code !== 0) throw new Error(`ergate run exited ${code}: ${output.slice(-2000)}`);
  const report = JSON.parse(fs.readFileSync(json, 'utf8')) as Awaited<ReturnType<typeof runFolder>>['report'];
  return { code, report, perJob: calls / report.total };
}

beforeAll(async () => {
  redis = await startRedis();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-scale-'));
  workers = await Promise.all(
    [1, 2].map(() => startWorker(['--redis', redis.url, '--queue', QUEUE, '-j', '2', '--root', root])),
  );
});

afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorker(w)));
  await redis?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

it('2,000 jobs through the CLI: every result is what its worker reported; commands per job as at 200', async () => {
  const small = await runFolder(writeScripts('small', 200));
  const large = await runFolder(writeScripts('large', 2_000));

  expect(large.report).toMatchObject({ total: 2_000, passed: 2_000 });
  expect(large.report.results).toHaveLength(2_000);
  const seen = new Set<string>();
  for (const result of large.report.results) {
    const number = Number(/^job_(\d+)\.py$/.exec(result.name)![1]);
    expect(result).toMatchObject({ status: 'passed', error: null, stdout: `${number}\n` });
    expect(result.worker).toMatch(new RegExp(`:(${workers.map((w) => w.pid).join('|')})$`));
    seen.add(result.name);
  }
  expect(seen.size).toBe(2_000);
  expect(small.report).toMatchObject({ total: 200, passed: 200 });

  // O(1) per job: the larger run costs no more per job than the small one (within 20%).
  expect(large.perJob).toBeLessThan(small.perJob * 1.2);
  expect(large.perJob).toBeGreaterThan(small.perJob * 0.5);
}, 600_000);
