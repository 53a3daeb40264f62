// Test fixture: a real 3-master Redis Cluster on loopback (bench/harness/redis-cluster.ts,
// which the benchmarks share), started once per test file by useRedisCluster() and stopped
// after it, each node's pid proved gone.
import { afterAll, beforeAll, expect } from 'vitest';
import { startRedisCluster, type RedisClusterServer } from '../../bench/harness/redis-cluster.ts';
import { isAlive } from './cluster.ts';

/** A Redis Cluster for the whole test file: started before its first test, stopped (pids proved gone) after. */
export function useRedisCluster(): { server: RedisClusterServer } {
  const handle = { server: null as unknown as RedisClusterServer };
  beforeAll(async () => {
    handle.server = await startRedisCluster();
  }, 120_000);
  afterAll(async () => {
    await handle.server?.stop();
    for (const pid of handle.server?.pids ?? []) expect(isAlive(pid)).toBe(false);
  });
  return handle;
}
