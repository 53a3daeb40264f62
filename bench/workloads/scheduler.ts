// Workload 5a: AsyncScheduler running 100,000 no-op jobs with pseudo-random priorities, 64 at a
// time, against p-queue (same priorities; p-queue runs higher numbers first, so they are negated)
// and p-limit (no priorities: the floor for "run N promises 64 at a time"). Timed: schedule every
// job, run them all, check every one completed.
import PQueue from 'p-queue';
import pLimit from 'p-limit';
import { requireOurs } from '../harness/ours.ts';
import type { BenchContext, Workload } from '../harness/types.ts';

const CONCURRENCY = 64; // issue 5: "at concurrency 64"

interface SchedulerState {
  priorities: number[];
}

/** Deterministic priorities 0..99 (a small LCG), the same for every variant and run. */
function makePriorities(n: number): number[] {
  let seed = 42;
  return Array.from({ length: n }, () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % 100;
  });
}

async function noop(): Promise<void> {}

async function runOurs(state: SchedulerState): Promise<void> {
  const AsyncScheduler = await requireOurs<any>('AsyncScheduler');
  const scheduler = new AsyncScheduler({ maxConcurrency: CONCURRENCY });
  for (const priority of state.priorities) scheduler.schedule(noop, { name: 'noop', priority });
  await scheduler.runAll();
  const completed = scheduler.metrics.jobsCompleted;
  if (completed !== state.priorities.length) throw new Error(`AsyncScheduler completed ${completed} of ${state.priorities.length}`);
}

async function runPQueue(state: SchedulerState): Promise<void> {
  const queue = new PQueue({ concurrency: CONCURRENCY, autoStart: false });
  let completed = 0;
  for (const priority of state.priorities) {
    void queue.add(async () => {
      await noop();
      completed += 1;
    }, { priority: -priority });
  }
  queue.start();
  await queue.onIdle();
  if (completed !== state.priorities.length) throw new Error(`p-queue completed ${completed}`);
}

async function runPLimit(state: SchedulerState): Promise<void> {
  const limit = pLimit(CONCURRENCY);
  const results = await Promise.allSettled(state.priorities.map(() => limit(noop)));
  const completed = results.filter((r) => r.status === 'fulfilled').length;
  if (completed !== state.priorities.length) throw new Error(`p-limit completed ${completed}`);
}

export const schedulerWorkload: Workload<SchedulerState> = {
  name: 'scheduler',
  title: 'AsyncScheduler: 100,000 prioritised no-op jobs, 64 at a time',
  metric: 'wall time to schedule and run every job',
  unit: 'ms',
  reference: 'p-queue',
  notes:
    'ours keeps an AsyncJob record per job (status, times, runs) and metrics, as the API requires; ' +
    'p-queue keeps only the queue; p-limit has no priorities at all.',
  cases(ctx: BenchContext) {
    const jobs = ctx.smoke ? 1000 : 100_000;
    return [{ label: `${jobs} jobs`, params: { jobs } }];
  },
  async setup(_ctx, spec) {
    return { priorities: makePriorities(spec.params.jobs!) };
  },
  variants: {
    ours: runOurs,
    'p-queue': runPQueue,
    'p-limit (no priority)': runPLimit,
  },
};
