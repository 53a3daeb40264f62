// The shared pool of function-host threads, created on first use and sized to the cores.
// Calls wait in one FIFO queue and are sent to threads a few at a time (pipelining hides the
// message round trip; the host runs them one by one), but never behind a call that has run
// for a while, and a thread left idle steals the calls still queued on a busy one: no call
// waits behind a long one while a thread is idle. A stopped running call ends its thread,
// which is replaced; hosts that keep dying while starting open the crash-loop breaker.
import os from 'node:os';
import { CallQueue } from './call-queue.ts';
import type { CallStop, StopListener } from './call-stop.ts';
import { FunctionThread, type ThreadCall, type ThreadReply } from './function-thread.ts';
import { StartupBreaker } from '../internal/startup-breaker.ts';
import type { CallOwner } from './late-errors.ts';
import type { CallEnding, CallRequest } from './types.ts';

/** Calls in flight per thread: one running plus the rest queued in the host. */
const PIPELINE_DEPTH = 16;
/** A busy thread is topped up only once it is down to this many, so calls travel in batches. */
const REFILL_AT = 8;
/** No call is queued behind one that has run longer than this. */
const PIPELINE_ONLY_BEHIND_MS = 2;

export interface ThreadPool {
  size: number;
  threads: Set<FunctionThread<PooledCall>>;
  queue: CallQueue<PooledCall>;
  placed: Map<PooledCall, FunctionThread>;
  breaker: StartupBreaker;
  nextId: number;
  closed: boolean;
}

let current: ThreadPool | null = null;
let hostUrlOverride: string | undefined;

/** Tests only: start threads from another host module (e.g. one that crashes while starting). */
export function setThreadHostUrlForTests(url: string | undefined): void {
  hostUrlOverride = url;
}

/** How many threads the pool runs (one call running on each). */
export function threadCount(): number {
  return os.availableParallelism();
}

function createPool(): ThreadPool {
  return {
    size: threadCount(),
    threads: new Set(),
    queue: new CallQueue(),
    placed: new Map(),
    breaker: new StartupBreaker(),
    nextId: 1,
    closed: false,
  };
}

function spawnThread(pool: ThreadPool): void {
  const thread = new FunctionThread<PooledCall>(
    {
      onReady: () => {
        pool.breaker.recordStarted();
        dispatch(pool);
      },
      onFree: () => dispatch(pool),
      onGone: (gone, unstarted, startedOk, reason) => {
        pool.threads.delete(gone);
        for (const call of unstarted) pool.placed.delete(call);
        if (pool.closed) return;
        if (!startedOk) pool.breaker.recordStartupFailure(reason);
        pool.queue.unshift(...unstarted);
        dispatch(pool);
      },
    },
    hostUrlOverride,
  );
  pool.threads.add(thread);
}

/** Whether a thread may take more calls now. */
function canTake(thread: FunctionThread<PooledCall>, now: number): boolean {
  if (!thread.isReady || thread.load > REFILL_AT) return false;
  return thread.load === 0 || now - thread.headStartedAt <= PIPELINE_ONLY_BEHIND_MS;
}

/** The least loaded thread that can take calls, and how many threads can. */
function pickThread(pool: ThreadPool): { thread: FunctionThread<PooledCall>; open: number } | null {
  let best: FunctionThread<PooledCall> | null = null;
  let open = 0;
  const now = performance.now();
  for (const thread of pool.threads) {
    if (!canTake(thread, now)) continue;
    open += 1;
    if (best === null || thread.load < best.load) best = thread;
  }
  return best === null ? null : { thread: best, open };
}

function dispatch(pool: ThreadPool): void {
  if (pool.closed) return;
  if (pool.breaker.isOpen) {
    for (const call of pool.queue.takeAll())
      call.settle({ unavailable: pool.breaker.describe('the function host thread') });
    return;
  }
  while (pool.queue.length > 0) {
    const picked = pickThread(pool);
    if (picked === null) break;
    const { thread, open } = picked;
    // Spread what is waiting over the threads that can take it, in batches of at most the
    // room left: a small burst lands one call per thread, a big backlog travels in batches.
    const take = Math.min(PIPELINE_DEPTH - thread.load, Math.ceil(pool.queue.length / open));
    const batch: PooledCall[] = [];
    for (let i = 0; i < take; i++) {
      const call = pool.queue.shift()!;
      pool.placed.set(call, thread);
      batch.push(call);
    }
    thread.send(batch);
  }
  if (pool.queue.length === 0) stealForIdle(pool);
  if (pool.queue.length === 0 || pool.threads.size >= pool.size) return;
  let starting = 0;
  for (const thread of pool.threads) if (!thread.isReady) starting += 1;
  for (let spawn = Math.min(pool.queue.length - starting, pool.size - pool.threads.size); spawn > 0; spawn--)
    spawnThread(pool);
}

/**
 * Gives each idle thread calls queued behind the head of the busiest thread: all of them
 * when that head has run for a while (it may be long), else half (a fair split).
 */
function stealForIdle(pool: ThreadPool): void {
  let victim = busiestQueue(pool);
  if (victim === null) return;
  const now = performance.now();
  for (const idle of pool.threads) {
    if (!idle.isReady || idle.load > 0 || idle === victim) continue;
    const queued = victim.stealable;
    const stolen = victim.steal(now - victim.headStartedAt > PIPELINE_ONLY_BEHIND_MS ? queued : Math.ceil(queued / 2));
    if (stolen.length > 0) {
      for (const call of stolen) pool.placed.set(call, idle);
      idle.send(stolen);
    }
    victim = busiestQueue(pool);
    if (victim === null) return;
  }
}

/** The thread with the most calls queued behind its head, or null if none has any. */
function busiestQueue(pool: ThreadPool): FunctionThread<PooledCall> | null {
  let victim: FunctionThread<PooledCall> | null = null;
  let most = 0;
  for (const thread of pool.threads) {
    const queued = thread.stealable;
    if (queued > most) {
      victim = thread;
      most = queued;
    }
  }
  return victim;
}

/**
 * A call the pool can hold: what the threads see (ThreadCall) and its stop's listener. The
 * pool sets `pool` and `id`; `ended` gets the ending once. Implementations are one object per
 * call with no closures (settle and onStopped delegate to settlePooled and stopPooled): tens
 * of thousands can wait at once, and each is kept by every young-generation GC while it waits.
 */
export interface PooledCall extends ThreadCall, StopListener {
  pool: ThreadPool | null;
  ended(ending: CallEnding): void;
}

/** `call.settle`: the call leaves the pool with the thread's reply. */
export function settlePooled(call: PooledCall, reply: ThreadReply): void {
  const pool = call.pool!;
  call.callStop.onStop(null);
  pool.placed.delete(call);
  call.ended(endingOfReply(reply, pool));
}

/** `call.onStopped` (timeout or cancellation): taken off the queue, or stopped on its thread. */
export function stopPooled(call: PooledCall): void {
  const pool = call.pool!;
  const thread = pool.placed.get(call);
  if (thread !== undefined) {
    thread.stop(call);
    return;
  }
  pool.queue.remove(call);
  call.settle({ stopped: true });
}

/**
 * Queues one call for a pool thread. Its stop (timeout or cancellation) takes it off the queue
 * while it waits, or ends the thread running it; its clock starts when the call starts.
 */
export function submitToPool(call: PooledCall): void {
  const pool = (current ??= createPool());
  if (pool.breaker.isOpen) {
    call.ended({ kind: 'unavailable', message: pool.breaker.describe('the function host thread') });
    return;
  }
  call.pool = pool;
  call.id = pool.nextId++;
  call.callStop.onStop(call);
  pool.queue.push(call);
  dispatch(pool);
}

/** A pool call whose ending settles a promise (runOnThread's callers hold their own stop). */
class PromisedCall implements PooledCall {
  pool: ThreadPool | null = null;
  id = 0;
  constructor(
    readonly request: CallRequest,
    readonly callStop: CallStop,
    readonly owner: CallOwner | undefined,
    readonly ended: (ending: CallEnding) => void,
  ) {}

  settle(reply: ThreadReply): void {
    settlePooled(this, reply);
  }

  onStopped(): void {
    stopPooled(this);
  }
}

/** Runs one call on a pool thread (submitToPool), as a promise of its ending. */
export function runOnThread(request: CallRequest, stop: CallStop, owner?: CallOwner): Promise<CallEnding> {
  return new Promise<CallEnding>((resolve) => submitToPool(new PromisedCall(request, stop, owner, resolve)));
}

/** How a thread's reply ends the call (a pool closed meanwhile makes a death 'closed'). */
export function endingOfReply(reply: ThreadReply, pool: { closed: boolean }): CallEnding {
  if ('outcome' in reply) return { kind: 'outcome', outcome: reply.outcome };
  if ('stopped' in reply) return { kind: 'aborted' };
  if ('unavailable' in reply) return { kind: 'unavailable', message: reply.unavailable };
  if (pool.closed) return { kind: 'closed' };
  return { kind: 'host-died', message: `the thread running the function stopped: ${reply.died}`, outOfMemory: false };
}

/** Ends every thread; calls waiting or in flight end as 'closed'. The next call makes a new pool. */
export async function closeThreadPool(): Promise<void> {
  const pool = current;
  if (pool === null) return;
  current = null;
  pool.closed = true;
  const waiting = pool.queue.takeAll();
  const threads = [...pool.threads];
  for (const call of [...waiting, ...pool.placed.keys()]) call.settle({ died: 'closed' });
  for (const thread of threads) thread.terminate('the function pool was closed');
  await Promise.all(threads.map((thread) => thread.exited));
}
