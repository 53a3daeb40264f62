// Workload 5b: AsyncParallelRunner with 100,000 no-op tasks, 64 at a time, against p-limit with
// Promise.allSettled (which also builds one result object per task). Timed: the whole run,
// every task checked as passed.
import pLimit from 'p-limit';
import { requireOurs } from '../harness/ours.ts';
import type { BenchContext, Workload } from '../harness/types.ts';

const CONCURRENCY = 64; // issue 5: "at maxConcurrency 64"

interface TaskState {
  tasks: number;
}

async function noop(): Promise<number> {
  return 1;
}

async function runOurs(state: TaskState): Promise<void> {
  const AsyncParallelRunner = await requireOurs<any>('AsyncParallelRunner');
  const runner = new AsyncParallelRunner({ maxConcurrency: CONCURRENCY });
  const tasks = Array.from({ length: state.tasks }, (_, i) => ({ name: `t${i}`, fn: noop }));
  const result = await runner.run(tasks);
  if (result.passed !== state.tasks) throw new Error(`AsyncParallelRunner passed ${result.passed} of ${state.tasks}`);
}

async function runPLimit(state: TaskState): Promise<void> {
  const limit = pLimit(CONCURRENCY);
  const results = await Promise.allSettled(Array.from({ length: state.tasks }, () => limit(noop)));
  const passed = results.filter((r) => r.status === 'fulfilled').length;
  if (passed !== state.tasks) throw new Error(`p-limit passed ${passed}`);
}

export const taskGroupWorkload: Workload<TaskState> = {
  name: 'task-group',
  title: 'AsyncParallelRunner: 100,000 no-op tasks, 64 at a time',
  metric: 'wall time of the run',
  unit: 'ms',
  reference: 'p-limit',
  notes:
    'ours gives every task its own AbortSignal (currentSignal), timing and an AsyncTaskResult, as the API ' +
    'requires; p-limit only bounds concurrency.',
  cases(ctx: BenchContext) {
    const tasks = ctx.smoke ? 1000 : 100_000;
    return [{ label: `${tasks} tasks`, params: { tasks } }];
  },
  async setup(_ctx, spec) {
    return { tasks: spec.params.tasks! };
  },
  variants: {
    ours: runOurs,
    'p-limit': runPLimit,
  },
};
