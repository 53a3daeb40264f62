// Workload 5b: AsyncParallelRunner with 100,000 no-op tasks, 64 at a time, against p-limit with
// Promise.allSettled (which also builds one result object per task). Timed: the whole run,
// every task checked as passed.
// Every run happens in a fresh child process (probes/task-group-tasks.ts) that loads only its own
// library: in a shared process ergate's AsyncLocalStorage turns promise hooks on for everyone,
// which slowed p-limit and flattered ours. The child's start-up and setup are not timed.
import { measureInChild, probeDeadline } from '../probes/isolated.ts';
import type { BenchContext, Sample, Workload } from '../harness/types.ts';

interface TaskState {
  tasks: number;
}

function inChild(variant: string) {
  return (state: TaskState, ctx: BenchContext): Promise<Sample> =>
    measureInChild('task-group-tasks.ts', [variant, String(state.tasks)], { deadlineMs: probeDeadline(ctx.smoke) });
}

export const taskGroupWorkload: Workload<TaskState> = {
  name: 'task-group',
  title: 'AsyncParallelRunner: 100,000 no-op tasks, 64 at a time',
  metric: 'wall time of the run (fresh process per run, start-up untimed)',
  unit: 'ms',
  reference: 'p-limit',
  notes:
    'ours gives every task its own AbortSignal (currentSignal), timing and an AsyncTaskResult, as the API ' +
    'requires; p-limit only bounds concurrency. Each run is a fresh process with only its own library ' +
    'loaded (no promise hooks for p-limit, cold JIT for both); "CPU ms" is that process\'s CPU time ' +
    'during the timed run.',
  cases(ctx: BenchContext) {
    const tasks = ctx.smoke ? 1000 : 100_000;
    return [{ label: `${tasks} tasks`, params: { tasks } }];
  },
  setup(_ctx, spec) {
    return { tasks: spec.params.tasks };
  },
  variants: {
    ours: inChild('ours'),
    'p-limit': inChild('p-limit'),
  },
};
