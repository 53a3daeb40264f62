// A real Redis Cluster on loopback, for the distributed benchmarks and the tests
// (test/distributed/redis-cluster.ts wraps it per test file): `masters` redis-server
// --cluster-enabled nodes on free ports, each in its own temp dir, joined by `redis-cli
// --cluster create`. Invariant: stop() returns only when every node has exited and its
// folder is removed.
import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, startChild, stopChildren } from './children.ts';

const run = promisify(execFile);

export interface RedisClusterServer {
  /** "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3": what --redis-cluster takes */
  nodes: string;
  ports: number[];
  pids: number[];
  stop(): Promise<void>;
}

async function clusterState(port: number): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
  return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? 'unknown';
}

export async function startRedisCluster(masters = 3, timeoutMs = 60_000): Promise<RedisClusterServer> {
  const nodes: Array<{ port: number; dir: string; child: ChildProcess }> = [];
  const stop = async (): Promise<void> => {
    await stopChildren(
      nodes.map(({ child }) => child),
      'SIGKILL',
    );
    for (const { dir } of nodes) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-cluster-'));
      // The bus port is given too: port + 10000 (Redis's default) may be out of range or taken.
      const [port, busPort] = [await freePort(), await freePort()];
      const args = ['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--dir', dir];
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--save', '', '--appendonly', 'no');
      nodes.push({ port, dir, child: await startChild('redis-server', args, /Ready to accept connections/) });
    }
    const addresses = nodes.map(({ port }) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes']);
    // Every node must agree the slots are covered before a client asks.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(nodes.map(({ port }) => clusterState(port)));
      if (states.every((state) => state === 'ok')) break;
      if (Date.now() > deadline) throw new Error(`the Redis Cluster never became ok: ${states.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return {
      nodes: addresses.join(','),
      ports: nodes.map(({ port }) => port),
      pids: nodes.map(({ child }) => child.pid!),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
