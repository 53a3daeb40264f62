// Distributed cost against BullMQ's own floor (issue 23, point 8): N trivial jobs (default
// 2,000) on one loopback redis-server, two workers each way, in one run: ergate (a
// ParallelRunner with backend { redis } in this process, two `ergate worker -j 2
// --start-method forkserver`, each job a `print(i)` script) against bare BullMQ (addBulk of
// 500, the same removal settings, QueueEvents for completions, two no-op workers of
// concurrency 2: bench/peers/bullmq-worker.ts). Per job: Redis commands (INFO commandstats,
// also per command), wall, the coordinator's CPU (process.cpuUsage over the run), Redis's
// CPU and Redis memory per finished job (INFO memory, jobs kept as ergate keeps them).
// With --cluster, ergate also runs on a 3-master Redis Cluster (its commands and memory summed
// over the nodes, Redis CPU of the busiest node: the one holding the queue's slot).
// Usage: node --import tsx bench/distributed-floor.ts [N] [--rounds R] [--cluster] [--only ergate|bare]; writes
// bench/results/distributed-floor.* (not with --only)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { ParallelRunner } from '../src/index.ts';
import { freePort, startChild, stopChildren } from './harness/children.ts';
import { describeMachine, formatMachine, pickPython } from './harness/machine.ts';
import { writeFloorReport, type Measured, type Variant } from './harness/floor-report.ts';
import { startRedisCluster } from './harness/redis-cluster.ts';
import { commandStats, redisCpuMs, totalCalls, usedMemory } from './harness/redis-stats.ts';
import { writeTrivialScripts } from './harness/scripts.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(REPO, 'src/cli/main.ts');
const PEER = path.join(REPO, 'bench/peers/bullmq-worker.ts');
const PYTHON = pickPython();
/** What ergate keeps a finished job for (backend.keepResultsS default): the bare queue keeps the same. */
const KEEP = { age: 86_400 };

const loadNow = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Where a variant's jobs go: the backend option, the CLI flags that reach it, a client per node. */
interface Target {
  backend: { redis: string } | { redisCluster: string };
  flags: string[];
  nodes: Redis[];
}

async function runErgate(target: Target, queue: string, root: string, scripts: string[]): Promise<void> {
  await using runner = new ParallelRunner({ python: PYTHON, backend: { ...target.backend, queue, root } });
  const result = await runner.runScripts(scripts);
  if (result.passed !== scripts.length) throw new Error(`ergate: ${JSON.stringify(result.toJSON())}`);
}

/** Each node's figure, in node order. */
const eachNode = <T>(target: Target, read: (node: Redis) => Promise<T>): Promise<T[]> =>
  Promise.all(target.nodes.map(read));
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

async function runBare(port: number, queue: string, n: number, idPrefix = 'job'): Promise<void> {
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const jobs = new Queue(queue, { connection });
  const events = new QueueEvents(queue, { connection });
  try {
    await Promise.all([jobs.waitUntilReady(), events.waitUntilReady()]);
    let done = 0;
    const finished = new Promise<void>((resolve, reject) => {
      events.on('completed', () => (++done === n ? resolve() : undefined));
      events.on('failed', ({ jobId, failedReason }) => reject(new Error(`bare job ${jobId} failed: ${failedReason}`)));
    });
    for (let i = 0; i < n; i += 500) {
      const chunk = Array.from({ length: Math.min(500, n - i) }, (_, k) => ({
        name: 'job',
        data: { i: i + k },
        opts: { jobId: `${idPrefix}.${i + k}`, attempts: 1, removeOnComplete: KEEP, removeOnFail: KEEP },
      }));
      await jobs.addBulk(chunk);
    }
    await finished;
  } finally {
    await Promise.all([jobs.close(), events.close()]);
  }
}

async function measure(
  variant: Variant,
  round: number,
  ctx: { target: Target; port: number; root: string; scripts: string[] },
): Promise<Measured> {
  const { target } = ctx;
  const n = ctx.scripts.length;
  const bare = variant === 'bare BullMQ';
  const queue = `floor-${bare ? 'bare' : variant === 'ergate' ? 'ergate' : 'cluster'}-${round}`;
  const env = { ...process.env, ERGATE_PYTHON: PYTHON };
  const workerArgs = bare
    ? [PEER, String(ctx.port), queue, '2']
    : [CLI, 'worker', ...target.flags, '--queue', queue, '-j', '2', '--root', ctx.root, '--start-method', 'forkserver'];
  const workers = await Promise.all(
    [1, 2].map(() => startChild(process.execPath, ['--import', 'tsx', ...workerArgs], /^ready/m, env)),
  );
  try {
    // Warm-up, not counted: connections made, lazily loaded modules (ergate's backend) in place.
    if (bare) await runBare(ctx.port, queue, 4, 'warm');
    else await runErgate(target, queue, ctx.root, ctx.scripts.slice(0, 4));
    const memoryBefore = sum(await eachNode(target, usedMemory));
    await eachNode(target, (node) => node.config('RESETSTAT'));
    const redisCpuBefore = await eachNode(target, redisCpuMs);
    const load = loadNow();
    const cpu = process.cpuUsage();
    const started = performance.now();
    if (bare) await runBare(ctx.port, queue, n);
    else await runErgate(target, queue, ctx.root, ctx.scripts);
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const calls: Record<string, number> = {};
    for (const stats of await eachNode(target, commandStats))
      for (const [name, count] of Object.entries(stats)) calls[name] = (calls[name] ?? 0) + count;
    // The busiest node's CPU: the one holding the queue's slot.
    const redisCpu = Math.max(...(await eachNode(target, redisCpuMs)).map((ms, i) => ms - redisCpuBefore[i]));
    const perCommand = Object.fromEntries(Object.entries(calls).map(([name, count]) => [name, count / n]));
    return {
      variant,
      round,
      jobs: n,
      wallMsPerJob: wallMs / n,
      commandsPerJob: totalCalls(calls) / n,
      coordinatorCpuMsPerJob: (used.user + used.system) / 1000 / n,
      redisCpuMsPerJob: redisCpu / n,
      redisBytesPerJob: (sum(await eachNode(target, usedMemory)) - memoryBefore) / n,
      load: `${load} -> ${loadNow()}`,
      perCommand,
    };
  } finally {
    await stopChildren(workers);
  }
}

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 1;
// --only ergate (or bare): one variant, e.g. under --cpu-prof.
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : null;
const n = Number(args.find((a, i) => /^\d+$/.test(a) && !['--rounds', '--only'].includes(args[i - 1])) ?? 2_000);
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-floor-'));
const port = await freePort();
const server = await startChild(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--dir', base, '--save', '', '--appendonly', 'no'],
  /Ready to accept/,
);
const single: Target = {
  backend: { redis: `redis://127.0.0.1:${port}` },
  flags: ['--redis', `redis://127.0.0.1:${port}`],
  nodes: [new Redis(port, '127.0.0.1')],
};
const cluster = args.includes('--cluster') ? await startRedisCluster() : null;
const onCluster: Target | null = cluster && {
  backend: { redisCluster: cluster.nodes },
  flags: ['--redis-cluster', cluster.nodes],
  nodes: cluster.ports.map((p) => new Redis(p, '127.0.0.1')),
};
const machine = describeMachine(PYTHON);
const results: Measured[] = [];
try {
  const root = path.join(base, 'scripts');
  const scripts = await writeTrivialScripts(root, n);
  for (let round = 1; round <= rounds; round++) {
    // The order alternates, so neither variant always runs on the warmer machine.
    const order: Variant[] = round % 2 === 1 ? ['bare BullMQ', 'ergate'] : ['ergate', 'bare BullMQ'];
    if (onCluster) order.push('ergate on a cluster');
    for (const variant of order.filter((v) => only === null || v.startsWith(only))) {
      const target = variant === 'ergate on a cluster' ? onCluster! : single;
      const result = await measure(variant, round, { target, port, root, scripts });
      results.push(result);
      process.stdout.write(`${JSON.stringify({ ...result, perCommand: undefined })}\n`);
    }
  }
} finally {
  for (const node of [...single.nodes, ...(onCluster?.nodes ?? [])]) node.disconnect();
  await cluster?.stop();
  server.kill('SIGKILL');
  fs.rmSync(base, { recursive: true, force: true });
}
if (only === null) writeFloorReport(path.join(REPO, 'bench/results'), formatMachine(machine), results);
