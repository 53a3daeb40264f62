// Child process for the memory-pending workload: queues N jobs that never run in ONE of ours
// (AsyncScheduler.schedule), p-queue (autoStart off) or p-limit (one job holding the only slot),
// and prints the growth per job of heapUsed plus ArrayBuffer memory (ergate keeps waiting jobs in
// typed arrays, off the JS heap) after full GCs (protocol: isolated.ts). A fresh process
// per run: its heap holds nothing another variant or workload left behind, and the peers' pending
// promises are not weighed with the per-promise fields Node's promise hooks add once ergate's
// AsyncLocalStorage is in use. Needs --expose-gc.
// Usage: node --import tsx --expose-gc bench/probes/pending-jobs.ts <ours|p-queue|p-limit> <jobs>
import { reportSample } from './isolated.ts';

const [variant, jobsArg] = process.argv.slice(2);
const jobs = Number(jobsArg);

async function noop(): Promise<void> {}

function settledHeap(): number {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('pending-jobs must run with --expose-gc');
  collect();
  collect();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Loads the variant's library and returns a filler that queues every job and returns its holder. */
async function prepare(): Promise<() => unknown> {
  if (variant === 'ours') {
    const { requireOurs } = await import('../harness/ours.ts');
    const AsyncScheduler = await requireOurs('AsyncScheduler');
    return () => {
      const scheduler = new AsyncScheduler({ maxConcurrency: 4 });
      for (let i = 0; i < jobs; i += 1) scheduler.schedule(noop, { name: 'noop', priority: i % 100 });
      return scheduler;
    };
  }
  if (variant === 'p-queue') {
    const { default: PQueue } = await import('p-queue');
    return () => {
      const queue = new PQueue({ concurrency: 4, autoStart: false });
      for (let i = 0; i < jobs; i += 1) void queue.add(noop, { priority: i % 100 });
      return queue;
    };
  }
  if (variant === 'p-limit') {
    const { default: pLimit } = await import('p-limit');
    return () => {
      const limit = pLimit(1);
      void limit(() => new Promise(() => {})); // holds the only slot forever
      for (let i = 0; i < jobs; i += 1) void limit(noop);
      return limit;
    };
  }
  throw new Error(`unknown memory-pending variant '${variant}'`);
}

await reportSample(async () => {
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`jobs must be a positive integer, got '${jobsArg}'`);
  const fill = await prepare();
  const before = settledHeap();
  const holder = fill();
  // Let queued microtasks (p-limit defers each enqueue by one) settle before weighing.
  await new Promise((resolve) => setImmediate(resolve));
  const after = settledHeap();
  // Keep holder reachable until after the second measurement.
  if (holder === undefined) throw new Error('nothing was queued');
  return { value: (after - before) / jobs };
});
