// Entry of a runFunction pool thread. Runs calls strictly one at a time, in arrival order, so
// at any moment at most one call per thread has started and not finished: the pool may queue
// several calls here (pipelining) and still kill exactly the one that timed out, re-sending
// the others, which have provably not started. A call is cancelled here only if not started.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { describeThrown, executeCall } from '../src/function/execute-call.ts';
import type { CallOutcome, CallRequest } from '../src/function/types.ts';

type Incoming = { id: number; request: CallRequest } | { cancel: number };

const port = (workerData as { port: MessagePort }).port;
const queue: Array<{ id: number; request: CallRequest }> = [];
let running = false;

function take(message: Incoming): void {
  if ('cancel' in message) {
    const index = queue.findIndex((call) => call.id === message.cancel);
    if (index === -1) return; // already ran or running: the pool settles it itself
    queue.splice(index, 1);
    port.postMessage({ id: message.cancel, skipped: true });
    return;
  }
  queue.push(message);
}

function reply(id: number, outcome: CallOutcome): void {
  try {
    port.postMessage({ id, outcome });
  } catch (error) {
    port.postMessage({ id, outcome: { kind: 'unrunnable', message: `the result could not be sent back: ${describeThrown(error)}` } });
  }
}

function pump(): void {
  if (running) return;
  // Read every message already waiting, so a cancel that arrived while the previous call
  // ran is applied before the next call starts.
  for (let entry = receiveMessageOnPort(port); entry !== undefined; entry = receiveMessageOnPort(port)) {
    take(entry.message as Incoming);
  }
  const next = queue.shift();
  if (next === undefined) return;
  running = true;
  void executeCall(next.request).then((outcome) => {
    reply(next.id, outcome);
    running = false;
    pump();
  });
}

port.on('message', (message: Incoming) => {
  take(message);
  pump();
});
port.postMessage({ ready: true });
