// The 2,000-job case, shared by queue-scale.test.ts (one Redis) and redis-cluster.test.ts (a
// Redis Cluster): folders of trivial scripts through the real CLI (`ergate run --json`) with
// two real `ergate worker`s (-j 2, forkserver: the queue is under test, not Python's start-up,
// and the case stays ~3x shorter); every result must be exactly what its worker reported,
// and the run's Redis commands are counted over every node (INFO commandstats).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect } from 'vitest';
import { redisArgs, runCliProcess, startWorker, stopWorker, type Cluster, type WorkerProcess } from './cluster.ts';

export interface ScaleReport {
  results: Array<{ name: string; status: string; stdout: string; error: string | null; worker?: string }>;
  total: number;
  passed: number;
}

export interface ScaleRun {
  /** the workers, started before the file's first test */
  workers: WorkerProcess[];
  /** Runs `count` scripts through the CLI; the JSON report and the Redis commands per job. */
  runFolder(folder: string, count: number): Promise<{ report: ScaleReport; perJob: number }>;
}

/** Redis commands served by every node (INFO and CONFIG, the measurement's own, left out). */
export async function commandCalls(ports: number[]): Promise<number> {
  let total = 0;
  for (const port of ports) {
    const client = new Redis(port, '127.0.0.1');
    try {
      for (const match of (await client.info('commandstats')).matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm))
        if (!/^(info|config)/.test(match[1])) total += Number(match[2]);
    } finally {
      client.disconnect();
    }
  }
  return total;
}

async function resetStats(ports: number[]): Promise<void> {
  for (const port of ports) {
    const client = new Redis(port, '127.0.0.1');
    await client.config('RESETSTAT');
    client.disconnect();
  }
}

/**
 * Registers the hooks of a scale run on `queue`: two workers reaching Redis through
 * `target()` (its backend and every node's port), a temp root, all stopped after the file.
 */
export function useScaleRun(queue: string, target: () => { backend: Cluster['backend']; ports: number[] }): ScaleRun {
  let root = '';
  const run: ScaleRun = {
    workers: [],
    async runFolder(folder, count) {
      const dir = path.join(root, folder);
      fs.mkdirSync(dir);
      for (let i = 0; i < count; i++)
        fs.writeFileSync(path.join(dir, `job_${String(i).padStart(5, '0')}.py`), `print(${i})\n`);
      const { backend, ports } = target();
      const json = path.join(root, `${folder}.json`);
      await resetStats(ports);
      const { code, output } = await runCliProcess([
        ...['run', dir, ...redisArgs(backend), '--queue', queue, '--root', root, '--json', json, '-q'],
      ]);
      const calls = await commandCalls(ports);
      if (code !== 0) throw new Error(`ergate run exited ${code}: ${output.slice(-2000)}`);
      const report = JSON.parse(fs.readFileSync(json, 'utf8')) as ScaleReport;
      return { report, perJob: calls / report.total };
    },
  };
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-scale-'));
    const args = [...redisArgs(target().backend), '--queue', queue, '-j', '2', '--root', root];
    args.push('--start-method', 'forkserver');
    run.workers = await Promise.all([1, 2].map(() => startWorker(args)));
  });
  afterAll(async () => {
    await Promise.all(run.workers.map((w) => stopWorker(w)));
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });
  return run;
}

/** Each of `count` scripts reported once, passed, with its own output, by one of the workers. */
export function expectEveryResult(report: ScaleReport, count: number, workers: WorkerProcess[]): void {
  expect(report).toMatchObject({ total: count, passed: count });
  expect(report.results).toHaveLength(count);
  const seen = new Set<string>();
  for (const result of report.results) {
    const number = Number(/^job_(\d+)\.py$/.exec(result.name)![1]);
    expect(result).toMatchObject({ status: 'passed', error: null, stdout: `${number}\n` });
    expect(result.worker).toMatch(new RegExp(`:(${workers.map((w) => w.pid).join('|')})$`));
    seen.add(result.name);
  }
  expect(seen.size).toBe(count);
}
