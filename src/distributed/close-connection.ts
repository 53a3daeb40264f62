// Owns closing a BullMQ Queue/QueueEvents/Worker even when Redis never accepted it (wrong
// password, unreachable host): BullMQ's close() waits for a ready client there, forever.
// Invariant: resolves within `timeoutMs` and leaves no reconnecting socket behind.

interface Closable {
  close(): Promise<void>;
}

/** Closes `part`; if that does not finish in time, cuts its ioredis client (BullMQ's private field). */
export async function closeConnection(part: Closable, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = part.close().then(() => true, () => true);
  const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  const done = await Promise.race([closed, late]);
  clearTimeout(timer);
  if (done) return;
  // No public API reaches a client that never became ready; without this the socket
  // would keep reconnecting and hold the process open.
  const connection = (part as unknown as { connection?: { _client?: { disconnect(): void } } }).connection;
  connection?._client?.disconnect();
}
