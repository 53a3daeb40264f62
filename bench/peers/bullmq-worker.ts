// A bare BullMQ worker, the floor ergate's distributed cost is measured against
// (bench/distributed-floor.ts): a no-op processor, `concurrency` jobs at once, on the queue
// named on the command line. Prints "ready" once connected; SIGTERM closes it, exit 0.
// Usage: node --import tsx bench/peers/bullmq-worker.ts PORT QUEUE CONCURRENCY
import { Worker } from 'bullmq';

const [port, queue, concurrency] = process.argv.slice(2);
const worker = new Worker(queue, () => Promise.resolve(undefined), {
  connection: { host: '127.0.0.1', port: Number(port), maxRetriesPerRequest: null },
  concurrency: Number(concurrency),
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
