// Workload 6b: memory per pending job. 100,000 jobs are queued but not run; the heap is collected
// before and after and heapUsed's growth is divided by the job count. Ours (AsyncScheduler.schedule,
// which keeps an AsyncJob record per job) against p-queue (autoStart off) and p-limit (one blocking
// job in front of the queue).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import PQueue from 'p-queue';
import pLimit from 'p-limit';
import { requireOurs } from '../harness/ours.ts';
import type { BenchContext, Workload } from '../harness/types.ts';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

interface PendingState {
  jobs: number;
}

async function noop(): Promise<void> {}

function settledHeap(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** Bytes of heap per pending job that `fill` keeps alive. */
async function bytesPerJob(jobs: number, fill: () => Promise<unknown>): Promise<number> {
  const before = settledHeap();
  const holder = await fill();
  const after = settledHeap();
  // Keep holder reachable until after the second measurement.
  if (holder === undefined) throw new Error('nothing was queued');
  return (after - before) / jobs;
}

export const memoryPendingWorkload: Workload<PendingState> = {
  name: 'memory-pending',
  title: 'Memory per pending job (100,000 queued, none run)',
  metric: 'heapUsed growth per queued job, after full GC',
  unit: 'B',
  reference: 'p-queue',
  notes: 'ours stores a full AsyncJob (id, name, status, times, runs) per job, as getJob/listJobs require.',
  cases(ctx: BenchContext) {
    const jobs = ctx.smoke ? 1000 : 100_000;
    return [{ label: `${jobs} pending jobs`, params: { jobs }, warmup: ctx.smoke ? 0 : 1 }];
  },
  async setup(_ctx, spec) {
    return { jobs: spec.params.jobs! };
  },
  variants: {
    async ours(state) {
      const AsyncScheduler = await requireOurs<any>('AsyncScheduler');
      return bytesPerJob(state.jobs, async () => {
        const scheduler = new AsyncScheduler({ maxConcurrency: 4 });
        for (let i = 0; i < state.jobs; i += 1) scheduler.schedule(noop, { name: 'noop', priority: i % 100 });
        return scheduler;
      });
    },
    'p-queue': (state) =>
      bytesPerJob(state.jobs, async () => {
        const queue = new PQueue({ concurrency: 4, autoStart: false });
        for (let i = 0; i < state.jobs; i += 1) void queue.add(noop, { priority: i % 100 });
        return queue;
      }),
    'p-limit': (state) =>
      bytesPerJob(state.jobs, async () => {
        const limit = pLimit(1);
        void limit(() => new Promise(() => {})); // holds the only slot forever
        for (let i = 0; i < state.jobs; i += 1) void limit(noop);
        return limit;
      }),
  },
};
