// Test fixture: a real 3-master Redis Cluster on loopback (redis-server --cluster-enabled on
// free ports, each node in its own temp dir, joined by `redis-cli --cluster create`), started
// once per test file by useRedisCluster(). Invariant: stop() returns only when every node's
// pid is gone and its folder removed.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { freePort, isAlive, waitForLine } from './cluster.ts';

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

export async function startRedisCluster(masters = 3): Promise<RedisClusterServer> {
  const nodes: Array<{ port: number; dir: string; child: ReturnType<typeof spawn> }> = [];
  const stop = async (): Promise<void> => {
    for (const { child, dir } of nodes) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    for (const { child } of nodes) expect(isAlive(child.pid!)).toBe(false);
  };
  try {
    for (let i = 0; i < masters; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-cluster-'));
      // The bus port is given too: port + 10000 (Redis's default) may be out of range or taken.
      const [port, busPort] = [await freePort(), await freePort()];
      const child = spawn(
        'redis-server',
        [
          ...['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--dir', dir],
          ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--save', '', '--appendonly', 'no'],
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      nodes.push({ port, dir, child });
      await waitForLine(child, /Ready to accept connections/, 'redis-server (cluster node)');
    }
    const addresses = nodes.map(({ port }) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes']);
    // Every node must agree the slots are covered before a client asks.
    await vi.waitFor(
      async () => {
        const states = await Promise.all(nodes.map(({ port }) => clusterState(port)));
        if (!states.every((state) => state === 'ok')) throw new Error(`cluster_state: ${states.join(', ')}`);
      },
      { timeout: 60_000, interval: 200 },
    );
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

/** A Redis Cluster for the whole test file: started before its first test, stopped (pids proved gone) after. */
export function useRedisCluster(): { server: RedisClusterServer } {
  const handle = { server: null as unknown as RedisClusterServer };
  beforeAll(async () => {
    handle.server = await startRedisCluster();
  }, 120_000);
  afterAll(async () => {
    await handle.server?.stop();
  });
  return handle;
}
