// Owns what each BullMQ part (Queue, Worker, QueueEvents, QueueEventsProducer) is given to
// reach Redis. One Redis: the connection options (BullMQ opens and closes its own client)
// and BullMQ's default prefix. A Redis Cluster: a fresh ioredis Cluster per part, which
// ergate owns and `releaseClient` disconnects once the part has closed, and the prefix
// `{queue}`, a hash tag, so every key of the queue and of its runs queue hashes to one slot
// (BullMQ's Lua scripts touch several keys at once; Redis Cluster refuses that across slots).
import { createRequire } from 'node:module';
import type { ConnectionOptions } from 'bullmq';
import type { RedisTarget } from '../seam/redis-target.ts';

interface ClusterClient {
  disconnect(): void;
}
type ClusterClass = new (
  nodes: Array<{ host: string; port: number }>,
  options: Record<string, unknown>,
) => ClusterClient & ConnectionOptions;

/** The cluster clients ergate made: BullMQ treats a given client as shared and leaves it open. */
const owned = new WeakSet<object>();

/** ioredis as bullmq resolves it (ergate has no dependency of its own on ioredis). */
function clusterClass(): ClusterClass {
  const bullmq = import.meta.resolve('bullmq');
  return (createRequire(bullmq)('ioredis') as { Cluster: ClusterClass }).Cluster;
}

/** The BullMQ key prefix of `queue` on this target. */
export function keyPrefix(target: RedisTarget, queue: string): string | undefined {
  return target.cluster ? `{${queue}}` : undefined;
}

/**
 * `connection` and `prefix` for one BullMQ part of `queue` (the script queue's name: its
 * runs queue shares the hash tag). Call once per part: a cluster client is not shared.
 */
export function partOptions(target: RedisTarget, queue: string): { connection: ConnectionOptions; prefix?: string } {
  if (!target.cluster) return { connection: target.connection };
  const Cluster = clusterClass();
  const client = new Cluster(target.cluster, {
    redisOptions: target.connection,
    // Each node answers for its own slots: follow MOVED/ASK, keep retrying like one Redis.
    clusterRetryStrategy: (times: number) => Math.min(100 * times, 2_000),
  });
  owned.add(client);
  return { connection: client, prefix: keyPrefix(target, queue) };
}

/** Disconnects the cluster client `part` was given by partOptions (nothing for one Redis). */
export function releaseClient(part: object): void {
  const client = (part as { opts?: { connection?: unknown } }).opts?.connection;
  if (typeof client === 'object' && client !== null && owned.has(client)) (client as ClusterClient).disconnect();
}
