// ergate on a real 3-master Redis Cluster (redis-cluster.ts, started once for this file):
// the 2,000-job case through the CLI (`--redis-cluster`) and the SIGKILLed-worker case, the
// same code as on one Redis (scale-case.ts, recovery-case.ts). Every key of a queue carries
// its `{queue}` hash tag, so BullMQ's multi-key scripts stay in one slot, on one node.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/settings/parse-cli-args.ts';
import { parseWorkerArgs } from '../../src/cli/worker-command.ts';
import { ErgateWorker, ParallelRunner } from '../../src/index.ts';
import { recoversKilledWorker, useRecoveryCluster } from './recovery-case.ts';
import { useRedisCluster } from './redis-cluster.ts';
import { expectEveryResult, useScaleRun } from './scale-case.ts';

const redisCluster = useRedisCluster();

/** Every key on each node (a test's cluster holds a few thousand). */
async function keysByNode(ports: number[]): Promise<string[][]> {
  return Promise.all(
    ports.map(async (port) => {
      const client = new Redis(port, '127.0.0.1');
      try {
        return await client.keys('*');
      } finally {
        client.disconnect();
      }
    }),
  );
}

describe('2,000 jobs', () => {
  const scale = useScaleRun('scale', () => ({
    backend: { redisCluster: redisCluster.server.nodes },
    ports: redisCluster.server.ports,
  }));

  it('through `ergate run --redis-cluster`: every result is what its worker reported; the queue lives in one slot', async () => {
    const { report } = await scale.runFolder('large', 2_000);
    expectEveryResult(report, 2_000, scale.workers);
    // The queue's keys (jobs kept for re-attaching included) all sit under its hash tag, on one node.
    const byNode = await keysByNode(redisCluster.server.ports);
    const queueKeys = byNode.flat().filter((key) => key.includes(':scale'));
    expect(queueKeys.length).toBeGreaterThan(2_000);
    for (const key of queueKeys) expect(key.startsWith('{scale}:')).toBe(true);
    expect(byNode.filter((keys) => keys.some((key) => key.startsWith('{scale}:')))).toHaveLength(1);
  }, 600_000);
});

describe('a SIGKILLed worker', () => {
  const cluster = useRecoveryCluster('recovery', redisCluster);
  it('its jobs are recovered by the others and every script is reported once', () =>
    recoversKilledWorker(cluster, 'recovery'));
});

it('--redis-cluster: the nodes are checked before anything starts (exit 2), and never with --redis', () => {
  expect(parseWorkerArgs(['--redis-cluster', '10.0.0.5:7000,[::1]:7001']).options).toMatchObject({
    redisCluster: '10.0.0.5:7000,[::1]:7001',
  });
  expect(() => parseWorkerArgs(['--redis-cluster', '10.0.0.5:7000,h:x'])).toThrow(
    /^--redis-cluster: expected HOST:PORT\[,HOST:PORT\.\.\.\] \(the cluster's nodes\), got "h:x"$/,
  );
  expect(() => parseCliArgs(['run', 'tests', '--redis', 'redis://h', '--redis-cluster', 'h:7000'])).toThrow(
    /^--redis and --redis-cluster: give one/,
  );
  expect(parseCliArgs(['run', 'tests', '--redis-cluster', 'h:7000'])).toMatchObject({ redisCluster: 'h:7000' });
});

it('names the option in a TypeError for bad cluster nodes, or both redis and redisCluster', async () => {
  expect(() => new ParallelRunner({ backend: { redisCluster: '127.0.0.1:7000,host:99999' } })).toThrow(
    /backend\.redisCluster: expected HOST:PORT\[,HOST:PORT\.\.\.\] \(the cluster's nodes\), got "host:99999"/,
  );
  expect(() => new ParallelRunner({ backend: { redisCluster: [] } })).toThrow(/backend\.redisCluster: expected/);
  expect(() => new ParallelRunner({ backend: { redis: 'redis://h:1', redisCluster: 'h:2' } })).toThrow(
    /backend: give either redis \(one Redis\) or redisCluster \(a Redis Cluster\), not both/,
  );
  await expect(ErgateWorker.start({ redisCluster: 'a b' })).rejects.toThrow(/ErgateWorker options\.redisCluster:/);
});
