// Owns how ergate reaches Redis: one Redis by a redis:// or rediss:// URL (from the option,
// else $ERGATE_REDIS_URL), a password from the URL or else $ERGATE_REDIS_PASSWORD; or a Redis
// Cluster by its nodes (cluster-target.ts). Invariant: the password lives only in the
// connection options handed to the client; everything printed or put in an error message
// goes through `display`, which never contains it.
import { resolveClusterTarget, type ClusterNode } from './cluster-target.ts';

/**
 * The ioredis options ergate sets: a BullMQ ConnectionOptions, typed here so the public
 * declarations never import bullmq (an optional peer a TypeScript consumer may not have).
 * A cluster's node options carry no host, port or db.
 */
export interface RedisConnection {
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
  maxRetriesPerRequest: null;
}

export interface RedisTarget {
  /** ioredis options for BullMQ's Queue, Worker and QueueEvents (with a cluster: each node's) */
  connection: RedisConnection;
  /** a Redis Cluster's seed nodes; absent for one Redis */
  cluster?: ClusterNode[];
  /** e.g. redis://user:***@10.0.0.5:6379/0: safe to log */
  display: string;
}

/**
 * The target of a backend's or worker's options: `redisCluster` (the nodes) or `redis` (a
 * URL, else $ERGATE_REDIS_URL). @throws TypeError naming the option; never echoes a URL
 */
export function resolveTarget(
  options: { redis?: string; redisCluster?: string | string[] },
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): RedisTarget {
  if (options.redisCluster === undefined) return resolveRedisTarget(options.redis, `${name}.redis`, env);
  if (options.redis !== undefined)
    throw new TypeError(`${name}: give either redis (one Redis) or redisCluster (a Redis Cluster), not both`);
  return resolveClusterTarget(options.redisCluster, `${name}.redisCluster`, env);
}

/** @throws TypeError naming the option when the URL is missing or malformed */
export function resolveRedisTarget(
  url: string | undefined,
  optionName = 'redis',
  env: NodeJS.ProcessEnv = process.env,
): RedisTarget {
  const text = url ?? env.ERGATE_REDIS_URL;
  if (typeof text !== 'string' || text === '') {
    throw new TypeError(
      `${optionName}: expected a redis:// URL (or set ERGATE_REDIS_URL), got ${url === undefined ? 'nothing' : typeof url}`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    // The text may hold a password: never echo it.
    throw new TypeError(`${optionName}: expected a URL such as redis://host:6379/0, got a string that is not a URL`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(
      `${optionName}: expected a redis:// or rediss:// URL, got protocol ${JSON.stringify(parsed.protocol)}`,
    );
  }
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new TypeError(`${optionName}: expected a database number after the port, got ${JSON.stringify(dbText)}`);
  const password = parsed.password ? decodeURIComponent(parsed.password) : env.ERGATE_REDIS_PASSWORD || undefined;
  const username = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = parsed.port ? Number(parsed.port) : 6379;
  const connection: RedisConnection = {
    host,
    port,
    db,
    ...(username && { username }),
    ...(password && { password }),
    ...(parsed.protocol === 'rediss:' && { tls: {} }),
    // Required by BullMQ workers (blocking commands); harmless for queues.
    maxRetriesPerRequest: null,
  };
  const auth = username || password ? `${username ?? ''}${password ? ':***' : ''}@` : '';
  return { connection, display: `${parsed.protocol}//${auth}${parsed.host}/${db}` };
}

/** Replaces every occurrence of the target's password in `text` (for error messages from the client). */
export function redact(text: string, target: RedisTarget): string {
  const password = (target.connection as { password?: string }).password;
  return password ? text.split(password).join('***') : text;
}

/** Redis did not answer when a coordinator or worker started: not a bug of ergate's. */
export class RedisUnreachableError extends Error {
  override name = 'RedisUnreachableError';
}

/**
 * "cannot reach redis at <display>: <why>", the client's error redacted. No cause is kept:
 * the client's error may quote the AUTH command, i.e. the password.
 */
export function unreachable(target: RedisTarget, error: unknown): RedisUnreachableError {
  const why = error instanceof Error ? error.message : String(error);
  return new RedisUnreachableError(`cannot reach redis at ${target.display}: ${redact(why, target)}`);
}
