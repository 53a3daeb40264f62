// Workload 6b: memory per pending job. 100,000 jobs are queued but not run; the heap is collected
// before and after and the growth of heapUsed plus ArrayBuffer memory is divided by the job count.
// Ours (AsyncScheduler.schedule, which keeps each job as slots in typed and plain arrays) against
// p-queue (autoStart off) and p-limit (one blocking job in front of the queue).
// Every run happens in a fresh child process (probes/pending-jobs.ts, with --expose-gc) that loads
// only its own library. In a shared process the peers were weighed with ergate's promise hooks on,
// which add fields to every pending promise (p-queue measured ~1,100 B/job there, ~640 B alone),
// and with whatever heap earlier variants and workloads left behind.
import { measureInChild, probeDeadline } from '../probes/isolated.ts';
import type { BenchContext, Sample, Workload } from '../harness/types.ts';

interface PendingState {
  jobs: number;
}

function inChild(variant: string) {
  return (state: PendingState, ctx: BenchContext): Promise<Sample> =>
    measureInChild('pending-jobs.ts', [variant, String(state.jobs)], {
      nodeFlags: ['--expose-gc'],
      deadlineMs: probeDeadline(ctx.smoke),
    });
}

export const memoryPendingWorkload: Workload<PendingState> = {
  name: 'memory-pending',
  title: 'Memory per pending job (100,000 queued, none run)',
  metric: 'heapUsed + ArrayBuffer growth per queued job, after full GC (fresh process per run)',
  unit: 'B',
  reference: 'p-queue',
  notes:
    'ours keeps each job (name, status, times, runs, as getJob/listJobs require) as slots in typed arrays and a shared spec, its AsyncJob object made when read. ' +
    'Each run is a fresh process with only its own library loaded, so no variant is weighed with ' +
    "another's promise hooks or leftovers.",
  cases(ctx: BenchContext) {
    const jobs = ctx.smoke ? 1000 : 100_000;
    // Deterministic per fresh process: a warm-up round would only repeat the same number.
    return [{ label: `${jobs} pending jobs`, params: { jobs }, warmup: 0 }];
  },
  setup(_ctx, spec) {
    return { jobs: spec.params.jobs };
  },
  variants: {
    ours: inChild('ours'),
    'p-queue': inChild('p-queue'),
    'p-limit': inChild('p-limit'),
  },
};
