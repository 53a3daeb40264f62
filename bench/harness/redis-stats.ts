// What the distributed benchmarks read from a redis-server: calls per command
// (INFO commandstats, the measurement's own INFO and CONFIG left out), the server's CPU
// (INFO cpu) and its memory (INFO memory used_memory). Invariant: every figure is read the
// same way for ergate and for its peers, so per-job ratios compare like with like.
import type { Redis } from 'ioredis';

/** Calls per command since the last CONFIG RESETSTAT, e.g. { evalsha: 4000, xread: 12 }. */
export async function commandStats(redis: Redis): Promise<Record<string, number>> {
  const calls: Record<string, number> = {};
  for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
    if (!/^(info|config)/.test(match[1])) calls[match[1]] = Number(match[2]);
  }
  return calls;
}

export function totalCalls(calls: Record<string, number>): number {
  return Object.values(calls).reduce((sum, n) => sum + n, 0);
}

/** The server's CPU so far (user + system, its main thread and background threads), ms. */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const text = await redis.info('cpu');
  const read = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? NaN);
  return (read('used_cpu_user') + read('used_cpu_sys')) * 1000;
}

/** Bytes the server's dataset and overhead take now (INFO memory used_memory). */
export async function usedMemory(redis: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? NaN);
}
