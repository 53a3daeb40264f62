// Owns the one warm ForkServerHost of a supervisor thread, and how its server ends. The
// server is a child process spawned from this thread, so only this thread's event loop can
// reap it: a thread that piscina terminates (idle timeout, destroy()) would leave it an
// unreaped zombie until Node exits. So the server is closed, and reaped, from here: once the
// thread has been idle for forkServerIdleMs (shorter than piscina's idleTimeout), and when
// the pool announces close() on its BroadcastChannel (src/script/supervisor-pool.ts).
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { workerData } from 'piscina';
import type { ScriptResult, ScriptSpec } from '../types.ts';
import { ForkServerHost } from './fork-server-host.ts';
import type { RunForkedOptions } from './run-forked.ts';

/** What SupervisorPool puts in piscina's workerData for this module. */
export interface ThreadHostConfig {
  /** Close the warm server after this long without a script. @default never */
  forkServerIdleMs?: number;
  /** BroadcastChannel name on which the pool says 'close' and each thread answers 'released'. */
  forkServerChannel?: string;
}

export type ThreadHostMessage = { type: 'close' } | { type: 'released'; threadId: number };

const config: ThreadHostConfig = (workerData as ThreadHostConfig | null | undefined) ?? {};
let host = new ForkServerHost();
let running = 0;
let idleTimer: NodeJS.Timeout | undefined;

/** Closes the current server (waiting until it is reaped); the next script starts a new one. */
async function releaseServer(): Promise<void> {
  clearTimeout(idleTimer);
  const old = host;
  host = new ForkServerHost();
  await old.close();
}

/** Runs a spec on this thread's warm server. Never rejects. */
export async function runOnThreadHost(spec: ScriptSpec, options: RunForkedOptions): Promise<ScriptResult> {
  running += 1;
  clearTimeout(idleTimer);
  try {
    return await host.run(spec, options);
  } finally {
    running -= 1;
    const idleMs = config.forkServerIdleMs;
    // setTimeout fires at once for Infinity or >= 2^31 ms: those mean "keep it warm".
    if (running === 0 && idleMs !== undefined && idleMs < 2 ** 31) {
      idleTimer = setTimeout(() => { if (running === 0) void releaseServer(); }, idleMs);
    }
  }
}

if (config.forkServerChannel) {
  const channel = new BroadcastChannel(config.forkServerChannel);
  // Never what keeps a thread alive: piscina decides that.
  channel.unref();
  channel.onmessage = (event) => {
    const message = (event as { data?: ThreadHostMessage }).data;
    if (message?.type !== 'close') return;
    void releaseServer().finally(() => channel.postMessage({ type: 'released', threadId } satisfies ThreadHostMessage));
  };
}
