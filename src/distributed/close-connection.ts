// Owns connecting and closing BullMQ parts robustly. Closing a BullMQ Queue/QueueEvents/Worker even when Redis never accepted it (wrong
// password, unreachable host): BullMQ's close() waits for a ready client there, forever.
// Invariant: resolves within `timeoutMs` and leaves no reconnecting socket behind (a
// cluster client ergate gave the part included).
import { releaseClient } from './bull-connection.ts';

interface Closable {
  close(): Promise<void>;
}

/** Closes `part`; if that does not finish in time, cuts its ioredis client (BullMQ's private field). */
export async function closeConnection(part: Closable, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = part.close().then(
    () => true,
    () => true,
  );
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const done = await Promise.race([closed, late]);
  clearTimeout(timer);
  type Connection = { _client?: { disconnect(): void }; on(event: 'error', listener: () => void): void };
  const { connection, blockingConnection } = part as unknown as {
    connection?: Connection;
    blockingConnection?: Connection;
  };
  for (const c of [connection, blockingConnection]) {
    // close() drops every listener, yet a connection that never got ready still reports its
    // failed start later: unheard, that 'error' would crash the process (and its stack
    // carries the AUTH command's arguments, i.e. the password).
    c?.on('error', () => {});
    // No public API reaches a client that never became ready; without this the socket
    // would keep reconnecting and hold the process open.
    if (!done) c?._client?.disconnect();
  }
  releaseClient(part);
}

interface Emitting {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Resolves when every part is ready; rejects after `timeoutMs`, or at once when Redis
 * refuses the credentials (retrying those would only hide the mistake).
 */
export function waitUntilConnected(
  parts: Array<Emitting & { waitUntilReady(): Promise<unknown> }>,
  timeoutMs = 10_000,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.all(parts.map((part) => part.waitUntilReady())).then(() => undefined),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      for (const part of parts) {
        part.on('error', (error) => {
          if (/WRONGPASS|NOAUTH|NOPERM/i.test(error?.message ?? '')) reject(error);
        });
      }
    }),
  ]).finally(() => clearTimeout(timer));
}
