// Entry of a runFunction child process, used for memory-limited calls: the parent starts it
// with --max-old-space-size, so a heap blow-up kills only this process. Runs one call at a
// time over the IPC channel and exits as soon as the parent goes away (channel closed). An
// error no call caught (late-errors.ts) retires it: it says so, and the pool ends it once
// the running call has answered (failed, if the error was that call's own).
import { Worker } from 'node:worker_threads';
import { describeThrown, executeCall } from '../src/function/execute-call.ts';
import { runAsCall, trapLateErrors } from '../src/function/late-errors.ts';
import type { CallOutcome, CallRequest } from '../src/function/types.ts';

interface CallMessage {
  id: number;
  request: CallRequest;
}

const send = process.send?.bind(process);
if (send === undefined) throw new Error('function-process-host must be started by runFunction (no IPC channel)');

// The parent died or closed us: never outlive it.
process.on('disconnect', () => process.exit(0));
// 'disconnect' cannot fire while a call spins the event loop, so a watchdog thread also
// checks the parent pid and kills this process the moment it is orphaned.
const watchdog = new Worker(
  `const { workerData } = require('node:worker_threads');
   setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 500);`,
  { eval: true, workerData: process.ppid },
);
watchdog.unref();

/** the call started and not yet answered */
let runningId: number | null = null;
let retired = false;

function reply(id: number, outcome: CallOutcome): void {
  try {
    send!({ id, outcome });
  } catch (error) {
    send!({
      id,
      outcome: { kind: 'unrunnable', message: `the result could not be sent back: ${describeThrown(error)}` },
    });
  }
}

process.on('message', (message: CallMessage) => {
  const { id, request } = message;
  runningId = id;
  void Promise.resolve(runAsCall(id, () => executeCall(request))).then((outcome) => {
    // Already answered if its own uncaught error failed it.
    if (runningId !== id) return;
    runningId = null;
    reply(id, outcome);
  });
});

trapLateErrors((late) => {
  if (retired) return;
  retired = true;
  if (late.callId !== null && late.callId === runningId) {
    // The running call's own error: it fails now (its code may never settle).
    send({ type: 'retire', late: null });
    const { message, errorType, stack } = late;
    reply(runningId, { kind: 'threw', message, errorType, stack });
    runningId = null;
  } else {
    send({ type: 'retire', late });
  }
});

send({ type: 'ready' });
