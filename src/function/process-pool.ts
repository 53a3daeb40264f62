// The shared pool of child-process hosts for memory-limited calls. Hosts are grouped by heap
// limit (it is fixed when a process starts), reused between calls, killed on timeout or
// cancellation and replaced on demand. At most `availableParallelism()` calls run at once;
// hosts that die while starting open a per-limit crash-loop breaker.
import os from 'node:os';
import { CallSlots } from './call-slots.ts';
import type { CallStop } from './call-stop.ts';
import { describeDeath, ProcessHost } from './process-host.ts';
import { StartupBreaker } from '../internal/startup-breaker.ts';
import type { CallOwner } from './late-errors.ts';
import type { CallEnding, CallRequest } from './types.ts';

/** An idle host is kept this long for the next call with the same limit. */
const IDLE_HOST_MS = 30_000;

interface HostGroup {
  memoryLimitMb: number;
  idle: ProcessHost[];
  breaker: StartupBreaker;
}

interface ProcessPool {
  slots: CallSlots;
  groups: Map<number, HostGroup>;
  hosts: Set<ProcessHost>;
  idleTimers: Map<ProcessHost, NodeJS.Timeout>;
  maxHosts: number;
  hostFile: string | undefined;
}

let current: ProcessPool | null = null;
let hostFileOverride: string | undefined;

/** Tests only: start hosts from another module (e.g. one that crashes while starting). */
export function setProcessHostFileForTests(file: string | undefined): void {
  hostFileOverride = file;
}

// A parent that exits (normally or by an uncaught error) takes its hosts with it.
process.on('exit', () => {
  for (const host of current?.hosts ?? []) host.kill();
});

function createPool(): ProcessPool {
  const maxHosts = os.availableParallelism();
  return {
    slots: new CallSlots(maxHosts),
    groups: new Map(),
    hosts: new Set(),
    idleTimers: new Map(),
    maxHosts,
    hostFile: hostFileOverride,
  };
}

function groupFor(pool: ProcessPool, memoryLimitMb: number): HostGroup {
  let group = pool.groups.get(memoryLimitMb);
  if (group === undefined) {
    group = { memoryLimitMb, idle: [], breaker: new StartupBreaker() };
    pool.groups.set(memoryLimitMb, group);
  }
  return group;
}

function forget(pool: ProcessPool, host: ProcessHost): void {
  host.kill();
  pool.hosts.delete(host);
  clearTimeout(pool.idleTimers.get(host));
  pool.idleTimers.delete(host);
  for (const group of pool.groups.values()) {
    const index = group.idle.indexOf(host);
    if (index !== -1) group.idle.splice(index, 1);
  }
}

function parkIdle(pool: ProcessPool, group: HostGroup, host: ProcessHost): void {
  if (current !== pool) return forget(pool, host);
  host.setIdle(true);
  group.idle.push(host);
  pool.idleTimers.set(host, setTimeout(() => forget(pool, host), IDLE_HOST_MS).unref());
}

/** Makes room for a new host by ending an idle one (of any limit) when the pool is full. */
function makeRoom(pool: ProcessPool): void {
  if (pool.hosts.size < pool.maxHosts) return;
  for (const group of pool.groups.values()) {
    const host = group.idle[0];
    if (host !== undefined) return forget(pool, host);
  }
}

type Taken = ProcessHost | { kind: 'aborted' } | { kind: 'unavailable'; message: string } | { kind: 'closed' };

/**
 * An idle host of the group (unless `fresh`), or a newly started one; start-up deaths are
 * retried until the breaker opens.
 */
async function takeHost(pool: ProcessPool, group: HostGroup, signal: AbortSignal, fresh: boolean): Promise<Taken> {
  for (;;) {
    const idle = fresh ? undefined : group.idle.pop();
    if (idle !== undefined) {
      clearTimeout(pool.idleTimers.get(idle));
      pool.idleTimers.delete(idle);
      if (!idle.retired && idle.child.exitCode === null && idle.child.signalCode === null) return idle;
      forget(pool, idle);
      continue;
    }
    if (group.breaker.isOpen)
      return {
        kind: 'unavailable',
        message: group.breaker.describe(`the function host process (memory limit ${group.memoryLimitMb} MiB)`),
      };
    makeRoom(pool);
    const host = new ProcessHost({
      memoryLimitMb: group.memoryLimitMb,
      hostFile: pool.hostFile,
      // Retired while parked: end it now (a busy one is ended once its call answers).
      onRetire: (retired) => {
        if (group.idle.includes(retired)) forget(pool, retired);
      },
    });
    pool.hosts.add(host);
    host.setIdle(false);
    const ready = await raceAbort(host.whenReady, signal);
    if (current !== pool) return (forget(pool, host), { kind: 'closed' });
    if (ready === 'aborted') {
      // Not wasted: once ready it serves the next call with this limit.
      void host.whenReady.then((ok) => (ok ? parkIdle(pool, group, host) : forget(pool, host)));
      return { kind: 'aborted' };
    }
    if (ready) {
      group.breaker.recordStarted();
      return host;
    }
    group.breaker.recordStartupFailure(describeDeath(await host.whenDead));
    forget(pool, host);
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | 'aborted'> {
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolve) => {
    const onAbort = (): void => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}

/**
 * Runs one call in a host process whose heap is limited to `memoryLimitMb`; with `fresh`, in a
 * new host that no other call used or will use.
 */
export async function runInProcess(
  request: CallRequest,
  memoryLimitMb: number,
  stop: CallStop,
  fresh = false,
  owner?: CallOwner,
): Promise<CallEnding> {
  const { signal } = stop;
  const pool = (current ??= createPool());
  const group = groupFor(pool, memoryLimitMb);
  const acquired = pool.slots.acquire(signal);
  if (!(acquired === true || (await acquired))) return signal.aborted ? { kind: 'aborted' } : { kind: 'closed' };
  try {
    const host = await takeHost(pool, group, signal, fresh);
    if (!(host instanceof ProcessHost)) return host;
    // Aborted while the host was being taken: it never started, so the host stays usable.
    if (signal.aborted) {
      parkIdle(pool, group, host);
      return { kind: 'aborted' };
    }
    stop.startClock();
    host.setIdle(false);
    const onAbort = (): void => host.kill();
    signal.addEventListener('abort', onAbort, { once: true });
    const reply = await host.call(request, owner);
    signal.removeEventListener('abort', onAbort);
    if ('outcome' in reply) {
      if (fresh || host.retired) forget(pool, host);
      else parkIdle(pool, group, host);
      return { kind: 'outcome', outcome: reply.outcome };
    }
    forget(pool, host);
    if (signal.aborted) return { kind: 'aborted' };
    if (current !== pool) return { kind: 'closed' };
    const { death } = reply;
    return {
      kind: 'host-died',
      outOfMemory: death.outOfMemory,
      message: `the function's process died (${describeDeath(death)})`,
    };
  } finally {
    pool.slots.release();
  }
}

/** Kills every host process; calls in flight end as 'closed'. The next call makes a new pool. */
export async function closeProcessPool(): Promise<void> {
  const pool = current;
  if (pool === null) return;
  current = null;
  pool.slots.rejectWaiters();
  const hosts = [...pool.hosts];
  for (const host of hosts) forget(pool, host);
  await Promise.all(hosts.map((host) => host.whenDead));
}

/** Pids of the live host processes (diagnostics and leak tests). */
export function processHostPids(): number[] {
  return [...(current?.hosts ?? [])].map((host) => host.pid).filter((pid): pid is number => pid !== undefined);
}
