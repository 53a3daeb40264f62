// Workload 5a: AsyncScheduler running 100,000 no-op jobs with pseudo-random priorities, 64 at a
// time, against p-queue (same priorities; p-queue runs higher numbers first, so they are negated)
// and p-limit (no priorities: the floor for "run N promises 64 at a time"). Timed: schedule every
// job, run them all, check every one completed.
// Every run happens in a fresh child process (probes/scheduler-jobs.ts) that loads only its own
// library: in a shared process ergate's AsyncLocalStorage turns promise hooks on for everyone,
// which slowed the peers and flattered ours. The child's start-up and setup are not timed.
import { measureInChild, probeDeadline } from '../probes/isolated.ts';
import type { BenchContext, Sample, Workload } from '../harness/types.ts';

interface SchedulerState {
  jobs: number;
}

function inChild(variant: string) {
  return (state: SchedulerState, ctx: BenchContext): Promise<Sample> =>
    measureInChild('scheduler-jobs.ts', [variant, String(state.jobs)], { deadlineMs: probeDeadline(ctx.smoke) });
}

export const schedulerWorkload: Workload<SchedulerState> = {
  name: 'scheduler',
  title: 'AsyncScheduler: 100,000 prioritised no-op jobs, 64 at a time',
  metric: 'wall time to schedule and run every job (fresh process per run, start-up untimed)',
  unit: 'ms',
  reference: 'p-queue',
  goals: [
    {
      variant: 'ours',
      against: 'p-limit (no priority)',
      maxRatio: 0.5,
      text: 'AsyncScheduler <= 0.5x p-limit, wall (issue 28)',
    },
  ],
  notes:
    'ours keeps every job (status, times, runs, as the API requires) as slots in typed arrays, its ' +
    'AsyncJob object made when read (runAll makes them all for its map), and metrics; ' +
    'p-queue keeps only the queue; p-limit has no priorities at all. Each run is a fresh process with ' +
    'only its own library loaded (no promise hooks for the peers, cold JIT for everyone); ' +
    '"CPU ms" is that process\'s CPU time during the timed run.',
  cases(ctx: BenchContext) {
    const jobs = ctx.smoke ? 1000 : 100_000;
    return [{ label: `${jobs} jobs`, params: { jobs } }];
  },
  setup(_ctx, spec) {
    return { jobs: spec.params.jobs };
  },
  variants: {
    ours: inChild('ours'),
    'p-queue': inChild('p-queue'),
    'p-limit (no priority)': inChild('p-limit'),
  },
};
