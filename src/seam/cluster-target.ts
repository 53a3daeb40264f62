// Owns how ergate reaches a Redis Cluster: its seed nodes as HOST:PORT[,HOST:PORT...] (a
// string or an array), each node's password from $ERGATE_REDIS_PASSWORD. Invariant: the
// password lives only in the node options handed to the cluster client; `display` names
// the seed nodes and never contains it.
import type { RedisTarget } from './redis-target.ts';

export interface ClusterNode {
  host: string;
  port: number;
}

/** "10.0.0.5:7000", "[::1]:7000" or a bare host (port 6379). */
const NODE = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]/@,]+))(?::(\d{1,5}))?$/;

/** @throws TypeError naming the option when a node is not HOST:PORT */
export function parseClusterNodes(input: string | string[], optionName: string): ClusterNode[] {
  const entries = (Array.isArray(input) ? input : input.split(',')).map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0)
    throw new TypeError(`${optionName}: expected HOST:PORT[,HOST:PORT...] (the cluster's nodes), got nothing`);
  return entries.map((entry) => {
    const match = NODE.exec(entry);
    const port = match?.[3] === undefined ? 6379 : Number(match[3]);
    if (!match || port < 1 || port > 65_535)
      throw new TypeError(
        `${optionName}: expected HOST:PORT[,HOST:PORT...] (the cluster's nodes), got ${JSON.stringify(entry)}`,
      );
    return { host: match[1] ?? match[2], port };
  });
}

/** A cluster target: node options carry the password; `cluster` lists the seed nodes. */
export function resolveClusterTarget(
  input: string | string[],
  optionName: string,
  env: NodeJS.ProcessEnv = process.env,
): RedisTarget {
  const nodes = parseClusterNodes(input, optionName);
  const password = env.ERGATE_REDIS_PASSWORD || undefined;
  const list = nodes.map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`));
  return {
    // Each node's connection; required by BullMQ workers (blocking commands), harmless elsewhere.
    connection: { ...(password && { password }), maxRetriesPerRequest: null },
    cluster: nodes,
    display: `redis cluster ${password ? '***@' : ''}${list.join(',')}`,
  };
}
