// The bare postMessage floor's worker thread (run-function workload): answers each `{ id, x }`
// with `{ id, x: x + 1 }` on the same port, nothing else. Plain JavaScript so it loads without
// a TypeScript loader.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (message) => {
  parentPort.postMessage({ id: message.id, x: message.x + 1 });
});
