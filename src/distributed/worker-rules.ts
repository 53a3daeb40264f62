// Owns the job rules workers publish for coordinators: each worker keeps an entry (its id ->
// its --allow-env list, and when it was last seen) in one hash of its queue, renewed every
// minute and removed when it stops, so a coordinator can refuse, before queueing, a variable
// no live worker would pass. Invariant: an entry not renewed for STALE_MS (a worker that died
// without removing it) counts for nothing and is deleted by the next coordinator reading it.
import { EnvAllowList, refusedByEveryWorker } from './env-allow-list.ts';

/** The hash's name inside the queue's keyspace (queue.toKey). */
export const WORKER_RULES_KEY = 'ergate-workers';
const RENEW_MS = 60_000;
const STALE_MS = 3 * RENEW_MS;

interface HashClient {
  hset(key: string, field: string, value: string): Promise<unknown>;
  hdel(key: string, field: string): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
}

interface Entry {
  allowEnv: readonly string[];
  seenAt: number;
}

/** A worker's entry: written now, renewed every minute until stop(). */
export class PublishedRules {
  readonly #timer: NodeJS.Timeout;

  private constructor(
    readonly client: HashClient,
    readonly key: string,
    readonly id: string,
    allowEnv: readonly string[],
  ) {
    const write = (): Promise<unknown> =>
      client.hset(key, id, JSON.stringify({ allowEnv, seenAt: Date.now() } satisfies Entry)).catch(() => undefined);
    this.#timer = setInterval(() => void write(), RENEW_MS).unref();
    this.written = write();
  }

  readonly written: Promise<unknown>;

  static async publish(client: unknown, key: string, id: string, allowEnv: readonly string[]): Promise<PublishedRules> {
    const rules = new PublishedRules(client as HashClient, key, id, allowEnv);
    await rules.written;
    return rules;
  }

  /** Removes the entry; not awaited by a stopping worker (Redis may be gone). */
  stop(): Promise<unknown> {
    clearInterval(this.#timer);
    return this.client.hdel(this.key, this.id).catch(() => undefined);
  }
}

/**
 * What the live workers of a queue would refuse, as a check of a job's env: the first
 * variable no worker passes, in the coordinator's words; null when none is known or all pass.
 * @returns null when no live worker has published its rules (the workers' results will say)
 */
export async function readWorkerRules(
  client: unknown,
  key: string,
  queue: string,
): Promise<((env: Record<string, string>) => string | null) | null> {
  const hash = client as HashClient;
  const now = Date.now();
  const lists: EnvAllowList[] = [];
  for (const [id, text] of Object.entries(await hash.hgetall(key))) {
    let entry: Entry | null = null;
    try {
      entry = JSON.parse(text) as Entry;
    } catch {
      // written by something else: ignored like a stale one
    }
    if (!entry || !Array.isArray(entry.allowEnv) || !(now - entry.seenAt < STALE_MS)) {
      void hash.hdel(key, id).catch(() => undefined);
      continue;
    }
    lists.push(new EnvAllowList(entry.allowEnv.filter((p) => typeof p === 'string')));
  }
  if (lists.length === 0) return null;
  return (env) => {
    for (const name of Object.keys(env))
      if (!lists.some((list) => list.allows(name))) return refusedByEveryWorker(name, queue);
    return null;
  };
}
