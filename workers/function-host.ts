// Entry of a runFunction pool thread. Runs calls strictly one at a time, in arrival order, so
// at any moment at most one call per thread has started and not finished: the pool may queue
// several calls here (pipelining) and still kill exactly the one that timed out. A call runs
// only if this host wins its claim word (call-claims.ts); one the pool withdrew (stopped, or
// stolen by an idle thread) is skipped and confirmed with a 'skipped' reply. An error no call
// caught (late-errors.ts) retires the host: it says so, finishes the call it is running (or
// fails it, if the error is that call's own) and starts no other.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { claimToRun } from '../src/function/call-claims.ts';
import { describeThrown, executeCall } from '../src/function/execute-call.ts';
import { runAsCall, trapLateErrors } from '../src/function/late-errors.ts';
import type { CallOutcome, CallTarget } from '../src/function/types.ts';

/** A batch of calls in one message, as parallel arrays (few objects to clone: see function-thread.ts). */
interface Incoming {
  ids: number[];
  slots: number[];
  targets: CallTarget[];
  args: unknown[][];
}

const { port, claims: claimBuffer } = workerData as { port: MessagePort; claims: Int32Array };
const claims = new Int32Array(claimBuffer.buffer);
/** Calls received and not yet started or skipped, in arrival order. */
const queue: Incoming = { ids: [], slots: [], targets: [], args: [] };
let head = 0;
let running = false;
/** the call started and not yet answered */
let runningId: number | null = null;
let retired = false;

function take(message: Incoming): void {
  const { ids, slots, targets, args } = message;
  for (let i = 0; i < ids.length; i++) {
    queue.ids.push(ids[i]);
    queue.slots.push(slots[i]);
    queue.targets.push(targets[i]);
    queue.args.push(args[i]);
  }
}

/** A returned value travels as `value` (one object less to clone than the outcome). */
function reply(id: number, outcome: CallOutcome): void {
  try {
    port.postMessage(outcome.kind === 'returned' ? { id, value: outcome.value } : { id, outcome });
  } catch (error) {
    port.postMessage({
      id,
      outcome: { kind: 'unrunnable', message: `the result could not be sent back: ${describeThrown(error)}` },
    });
  }
}

/** Reads every message already waiting, so a cancel that arrived while a call ran is applied before the next starts. */
function drainPort(): void {
  for (let entry = receiveMessageOnPort(port); entry !== undefined; entry = receiveMessageOnPort(port)) {
    take(entry.message as Incoming);
  }
}

function pump(): void {
  if (running || retired) return;
  drainPort();
  // Calls that finish synchronously are answered in this loop; an async one ends the loop
  // and resumes it when it settles, so calls never overlap.
  while (head < queue.ids.length) {
    const id = queue.ids[head];
    const slot = queue.slots[head];
    const request = { target: queue.targets[head], args: queue.args[head] };
    queue.targets[head] = undefined as unknown as CallTarget;
    queue.args[head] = undefined as unknown as unknown[];
    if (++head === queue.ids.length) {
      queue.ids.length = queue.slots.length = queue.targets.length = queue.args.length = 0;
      head = 0;
    }
    if (!claimToRun(claims, slot)) {
      port.postMessage({ id, skipped: true });
      continue;
    }
    const outcome = runAsCall(id, () => executeCall(request));
    if (!(outcome instanceof Promise)) {
      reply(id, outcome);
      drainPort();
      continue;
    }
    running = true;
    runningId = id;
    void outcome.then((settled) => {
      // Already answered if its own uncaught error failed it.
      if (runningId === id) reply(id, settled);
      running = false;
      runningId = null;
      pump();
    });
    return;
  }
}

trapLateErrors((late) => {
  if (retired) return;
  retired = true;
  // Tell the pool first, so it sends nothing more; calls queued here stay unclaimed for it.
  if (late.callId !== null && late.callId === runningId) {
    // The running call's own error: it fails now (its code may never settle).
    port.postMessage({ retire: null });
    const { message, errorType, stack } = late;
    reply(runningId, { kind: 'threw', message, errorType, stack });
    runningId = null;
  } else {
    port.postMessage({ retire: late });
  }
});

port.on('message', (message: Incoming) => {
  take(message);
  pump();
});
port.postMessage({ ready: true });
