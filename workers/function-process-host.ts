// Entry of a runFunction child process, used for memory-limited calls: the parent starts it
// with --max-old-space-size, so a heap blow-up kills only this process. Runs one call at a
// time over the IPC channel and exits as soon as the parent goes away (channel closed).
import { Worker } from 'node:worker_threads';
import { describeThrown, executeCall } from '../src/function/execute-call.ts';
import type { CallRequest } from '../src/function/types.ts';

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

process.on('message', (message: CallMessage) => {
  void Promise.resolve(executeCall(message.request)).then((outcome) => {
    try {
      send({ id: message.id, outcome });
    } catch (error) {
      send({
        id: message.id,
        outcome: { kind: 'unrunnable', message: `the result could not be sent back: ${describeThrown(error)}` },
      });
    }
  });
});

send({ type: 'ready' });
