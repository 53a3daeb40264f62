// Child process for the task-group workload: runs N no-op tasks, 64 at a time, through ONE of
// ours (AsyncParallelRunner) or p-limit + Promise.allSettled, and prints the time of that run
// alone (protocol: isolated.ts). Only the chosen library is loaded, so p-limit never runs in a
// process where ergate's AsyncLocalStorage has turned promise hooks on.
// Usage: node --import tsx bench/probes/task-group-tasks.ts <ours|p-limit> <tasks>
import { reportSample, timeWork } from './isolated.ts';

const CONCURRENCY = 64; // issue 5: "at maxConcurrency 64"
const [variant, tasksArg] = process.argv.slice(2);
const tasks = Number(tasksArg);

function noop(): Promise<number> {
  return Promise.resolve(1);
}

/** Loads the variant's library and returns its timed run: build the tasks, run them, check all passed. */
async function prepare(): Promise<() => Promise<void>> {
  if (variant === 'ours') {
    const { requireOurs } = await import('../harness/ours.ts');
    const AsyncParallelRunner = await requireOurs('AsyncParallelRunner');
    return async () => {
      const runner = new AsyncParallelRunner({ maxConcurrency: CONCURRENCY });
      const list = Array.from({ length: tasks }, (_, i) => ({ name: `t${i}`, fn: noop }));
      const result = await runner.run(list);
      if (result.passed !== tasks) throw new Error(`AsyncParallelRunner passed ${result.passed} of ${tasks}`);
    };
  }
  if (variant === 'p-limit') {
    const { default: pLimit } = await import('p-limit');
    return async () => {
      const limit = pLimit(CONCURRENCY);
      const results = await Promise.allSettled(Array.from({ length: tasks }, () => limit(noop)));
      const passed = results.filter((r) => r.status === 'fulfilled').length;
      if (passed !== tasks) throw new Error(`p-limit passed ${passed} of ${tasks}`);
    };
  }
  throw new Error(`unknown task-group variant '${variant}'`);
}

await reportSample(async () => {
  if (!Number.isInteger(tasks) || tasks < 1) throw new Error(`tasks must be a positive integer, got '${tasksArg}'`);
  return timeWork(await prepare());
});
