// Test helpers for distributed runs: a private redis-server on a free loopback port in a
// temp dir (no global Redis needed), `ergate worker` child processes that report "ready",
// a file's whole cluster as one fixture (useCluster), and /proc checks that a pid is gone.
// Every process started here is stopped by stop() / the fixture's afterAll.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { readProcess } from '../../src/script/proc-tree.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const SCRIPTS = fileURLToPath(new URL('./fixtures/scripts', import.meta.url));
const CLI = path.join(REPO, 'src/cli/main.ts');
export const PYTHON = '/usr/bin/python3';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
export function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        resolve(line);
      }
    };
    const onExit = (code: number | null): void =>
      reject(new Error(`${what} exited (${code}) before printing ${pattern}: ${buffer}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-redis-'));
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await waitForLine(child, /Ready to accept connections/, 'redis-server');
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      // Stopped twice (a test that kills Redis mid-run): the second call has nothing to wait for.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** The variables the fixtures read: a worker lets a job set only what it allows (default deny). */
const FIXTURE_ENV = ['--allow-env', 'MARK_DIR,SLEEP_S,GREETING,GATE,ORDER_LOG'];

/** Starts `ergate worker` as a real child process (fixture variables allowed) and waits for its "ready" line. */
export async function startWorker(args: string[], env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const worker = startCli(['worker', ...args, ...FIXTURE_ENV], env);
  await waitForLine(worker.child, /^ready /, 'ergate worker');
  return { ...worker, pid: worker.child.pid! };
}

export interface Cluster {
  /** the file's redis-server (absent when the cluster runs on a Redis Cluster: see `on`) */
  redis: RedisServer;
  /** how the workers and the coordinator reach Redis: { redis: url } or { redisCluster: nodes } */
  backend: { redis: string } | { redisCluster: string };
  /** started with `args`, before the file's first test */
  workers: WorkerProcess[];
  /** the workers' flags: --redis (or --redis-cluster), --queue, -j, --root SCRIPTS, then the extra ones */
  args: string[];
  /** an empty folder for the fixtures' marks: one per test ('each') or per file */
  marks: string;
}

/**
 * Registers a test file's (or describe block's) hooks: a redis-server, or the Redis Cluster
 * `on` (started by useRedisCluster), and `workers` workers, stopped after it (a worker the
 * test did not kill must exit 0), and the marks folder.
 */
export function useCluster(options: {
  queue: string;
  workers?: number;
  jobs?: number;
  extraArgs?: string[];
  marks?: 'each' | 'file';
  on?: { server: { nodes: string } };
}): Cluster {
  const cluster: Cluster = {
    redis: null as unknown as RedisServer,
    backend: { redis: '' },
    workers: [],
    args: [],
    marks: '',
  };
  const newMarks = (): string => (cluster.marks = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-marks-')));
  beforeAll(async () => {
    if (options.on) cluster.backend = { redisCluster: options.on.server.nodes };
    else {
      cluster.redis = await startRedis();
      cluster.backend = { redis: cluster.redis.url };
    }
    const { queue, jobs = 2, extraArgs = [] } = options;
    cluster.args = [
      ...redisArgs(cluster.backend),
      '--queue',
      queue,
      '-j',
      String(jobs),
      '--root',
      SCRIPTS,
      ...extraArgs,
    ];
    cluster.workers = await Promise.all(Array.from({ length: options.workers ?? 1 }, () => startWorker(cluster.args)));
    if (options.marks === 'file') newMarks();
  });
  if (options.marks !== 'file')
    beforeEach(() => {
      const marks = newMarks();
      return () => fs.rmSync(marks, { recursive: true, force: true });
    });
  afterAll(async () => {
    for (const worker of cluster.workers) {
      const killedByTest = worker.child.exitCode !== null || worker.child.signalCode !== null;
      const code = await stopWorker(worker);
      if (!killedByTest) expect(code).toBe(0);
    }
    await cluster.redis?.stop();
    if (options.marks === 'file') fs.rmSync(cluster.marks, { recursive: true, force: true });
  });
  return cluster;
}

/** The CLI flags that reach a backend's Redis: --redis URL or --redis-cluster NODES. */
export function redisArgs(backend: Cluster['backend']): string[] {
  return 'redisCluster' in backend ? ['--redis-cluster', backend.redisCluster] : ['--redis', backend.redis];
}

/** True while the pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const info = readProcess(pid);
  return info !== null && info.state !== 'Z';
}

/** Polls a condition (not a sleep: it returns as soon as the condition holds). */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Marks written by fixtures: pid -> { ppid, name }. */
export function readMarks(dir: string): Map<number, { ppid: number; name: string; ancestors: number[] }> {
  const marks = new Map<number, { ppid: number; name: string; ancestors: number[] }>();
  for (const file of fs.readdirSync(dir)) {
    if (!/^\d+$/.test(file)) continue;
    const [pid, ppid, name] = fs.readFileSync(path.join(dir, file), 'utf8').split(' ');
    if (name) marks.set(Number(pid), { ppid: Number(ppid), name, ancestors: ancestorsOf(Number(ppid)) });
  }
  return marks;
}

/** pid and its live ancestors (a script's parent is its launcher, whose keeper Node started). */
function ancestorsOf(pid: number): number[] {
  const chain: number[] = [];
  for (let at: number | undefined = pid; at !== undefined && at > 1 && chain.length < 6; at = readProcess(at)?.ppid)
    chain.push(at);
  return chain;
}

/** SIGTERM, then wait for exit; SIGKILL if it takes longer than `graceMs`. */
export async function stopWorker(worker: WorkerProcess, graceMs = 20_000): Promise<number | null> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return worker.child.exitCode;
  worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), graceMs);
  const code = await worker.exited;
  clearTimeout(timer);
  return code;
}

/** Starts the CLI (`ergate <args>`) as a real child process, output collected. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, ERGATE_PYTHON: PYTHON, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (c: Buffer) => {
    text += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Runs the CLI to the end; resolves with its exit code and combined output. */
export async function runCliProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const cli = startCli(args, env);
  const code = await cli.exited;
  return { code, output: cli.output() };
}
