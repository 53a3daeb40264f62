// Issue 18, sampling cost: CPU time of the ergate process (every thread: process.cpuUsage) while
// ParallelRunner runs 40 scripts of ~1 s, 4 wide, with live sampling on (every 500 ms, the
// default) against off (sampleMs 0, the reference). Goal: within 2%.
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { requireOurs } from '../harness/ours.ts';
import type { Sample, Workload } from '../harness/types.ts';

interface CostState {
  scripts: string[];
  python: string;
}

async function runOurs(state: CostState, sampleMs: number): Promise<Sample> {
  const ParallelRunner = await requireOurs('ParallelRunner');
  const runner = new ParallelRunner({ maxWorkers: 4, python: state.python, sampleMs });
  const before = process.cpuUsage();
  try {
    const result = await runner.runScripts(state.scripts);
    if (result.passed !== state.scripts.length)
      throw new Error(`only ${result.passed} of ${state.scripts.length} passed`);
  } finally {
    await runner.close();
  }
  const used = process.cpuUsage(before);
  return { value: (used.user + used.system) / 1000 };
}

export const resourcesSamplingCostWorkload: Workload<CostState> = {
  name: 'resources-sampling-cost',
  title: '40 scripts of ~1 s, 4 wide: CPU cost of live sampling',
  metric: 'CPU time (user + system) of the ergate process during the run',
  unit: 'ms',
  reference: 'sampling off',
  goals: [
    {
      variant: 'sampling on (500 ms)',
      maxRatio: 1.02,
      text: 'CPU of the ergate process with sampling on within 2% of off (issue 18)',
    },
  ],
  notes:
    'Each script sleeps 1 s. Sampling reads each running tree from /proc on one shared timer: stat (CPU, ' +
    'RSS) and children lists every pass, smaps_rollup (PSS) for a new process or when its RSS moved. ' +
    'A fresh runner per run.',
  cases: (ctx) => [
    { label: `${ctx.smoke ? 4 : 40} × 1 s, 4 wide`, params: { n: ctx.smoke ? 4 : 40 }, runs: ctx.smoke ? 1 : 5 },
  ],
  async setup(ctx, spec) {
    const dir = path.join(ctx.tmpDir, 'sampling-cost');
    await mkdir(dir, { recursive: true });
    const scripts: string[] = [];
    for (let i = 0; i < spec.params.n; i++) {
      const file = path.join(dir, `second_${i}.py`);
      await writeFile(file, `import time\ntime.sleep(${ctx.smoke ? 0.2 : 1})\n`);
      scripts.push(file);
    }
    return { scripts, python: ctx.python };
  },
  variants: {
    'sampling off': (state) => runOurs(state, 0),
    'sampling on (500 ms)': (state) => runOurs(state, 500),
  },
};
