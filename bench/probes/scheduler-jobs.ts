// Child process for the scheduler workload: runs N no-op jobs with pseudo-random priorities,
// 64 at a time, through ONE of ours (AsyncScheduler), p-queue or p-limit, and prints the time of
// that run alone (protocol: isolated.ts). Only the chosen library is loaded, so a peer never runs
// in a process where ergate's AsyncLocalStorage has turned promise hooks on.
// Usage: node --import tsx bench/probes/scheduler-jobs.ts <ours|p-queue|p-limit> <jobs>
import { reportSample, timeWork } from './isolated.ts';

const CONCURRENCY = 64; // issue 5: "at concurrency 64"
const [variant, jobsArg] = process.argv.slice(2);
const jobs = Number(jobsArg);

/** Deterministic priorities 0..99 (a small LCG), the same for every variant and run. */
function makePriorities(n: number): number[] {
  let seed = 42;
  return Array.from({ length: n }, () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % 100;
  });
}

async function noop(): Promise<void> {}

/** Loads the variant's library and returns its timed run: schedule every job, run all, count. */
async function prepare(priorities: number[]): Promise<() => Promise<void>> {
  if (variant === 'ours') {
    const { requireOurs } = await import('../harness/ours.ts');
    const AsyncScheduler = await requireOurs('AsyncScheduler');
    return async () => {
      const scheduler = new AsyncScheduler({ maxConcurrency: CONCURRENCY });
      for (const priority of priorities) scheduler.schedule(noop, { name: 'noop', priority });
      await scheduler.runAll();
      const completed = scheduler.metrics.jobsCompleted;
      if (completed !== priorities.length)
        throw new Error(`AsyncScheduler completed ${completed} of ${priorities.length}`);
    };
  }
  if (variant === 'p-queue') {
    const { default: PQueue } = await import('p-queue');
    return async () => {
      // p-queue runs higher numbers first, so priorities are negated to match ours.
      const queue = new PQueue({ concurrency: CONCURRENCY, autoStart: false });
      let completed = 0;
      for (const priority of priorities) {
        void queue.add(
          async () => {
            await noop();
            completed += 1;
          },
          { priority: -priority },
        );
      }
      queue.start();
      await queue.onIdle();
      if (completed !== priorities.length) throw new Error(`p-queue completed ${completed} of ${priorities.length}`);
    };
  }
  if (variant === 'p-limit') {
    const { default: pLimit } = await import('p-limit');
    return async () => {
      const limit = pLimit(CONCURRENCY);
      const results = await Promise.allSettled(priorities.map(() => limit(noop)));
      const completed = results.filter((r) => r.status === 'fulfilled').length;
      if (completed !== priorities.length) throw new Error(`p-limit completed ${completed} of ${priorities.length}`);
    };
  }
  throw new Error(`unknown scheduler variant '${variant}'`);
}

await reportSample(async () => {
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`jobs must be a positive integer, got '${jobsArg}'`);
  const priorities = makePriorities(jobs);
  const work = await prepare(priorities);
  return timeWork(work);
});
