// Issue 18, sampling cost: CPU time of the ergate process (every thread: process.cpuUsage) while
// ParallelRunner runs 40 scripts of ~1 s, 4 wide, with live sampling on (every 500 ms, the
// default) against off (sampleMs 0, the reference). Goal: within 2%.
// The effect (~2 ms of ~100) is below the run-to-run noise of a plain measurement, so each run
// counts only the 40-script run itself: a fresh runner first runs 4 empty scripts (launcher
// start-up, the same in both variants, uncounted), and a full GC on each side of the counted
// run makes each run pay for collecting its own garbage and none of the previous run's.
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { requireOurs } from '../harness/ours.ts';
import type { Sample, Workload } from '../harness/types.ts';

interface CostState {
  scripts: string[];
  /** run untimed on each fresh runner first, so its launchers are up before the clock starts */
  warmUp: string[];
  python: string;
}

let gc: (() => void) | undefined;
/** A full collection (--expose-gc turned on when this workload first runs, not at import). */
function collect(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = (vm.runInNewContext('typeof gc === "function" ? gc : null') as (() => void) | null) ?? (() => undefined);
  }
  gc();
}

async function runOurs(state: CostState, sampleMs: number): Promise<Sample> {
  const ParallelRunner = await requireOurs('ParallelRunner');
  const runner = new ParallelRunner({ maxWorkers: 4, python: state.python, sampleMs });
  try {
    await runner.runScripts(state.warmUp);
    collect();
    const before = process.cpuUsage();
    const result = await runner.runScripts(state.scripts);
    collect();
    const used = process.cpuUsage(before);
    if (result.passed !== state.scripts.length)
      throw new Error(`only ${result.passed} of ${state.scripts.length} passed`);
    return { value: (used.user + used.system) / 1000 };
  } finally {
    await runner.close();
  }
}

export const resourcesSamplingCostWorkload: Workload<CostState> = {
  name: 'resources-sampling-cost',
  title: '40 scripts of ~1 s, 4 wide: CPU cost of live sampling',
  metric: 'CPU time (user + system, all threads) of the ergate process during the run, launcher start-up excluded',
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
    'A fresh runner per run, which first runs 4 empty scripts uncounted (its launchers start); a full GC ' +
    'before and inside the counted span, so each run pays for its own garbage only.',
  cases: (ctx) => [
    { label: `${ctx.smoke ? 4 : 40} × 1 s, 4 wide`, params: { n: ctx.smoke ? 4 : 40 }, runs: ctx.smoke ? 1 : 9 },
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
    const warmUp: string[] = [];
    for (let i = 0; i < 4; i++) {
      const file = path.join(dir, `empty_${i}.py`);
      await writeFile(file, 'pass\n');
      warmUp.push(file);
    }
    return { scripts, warmUp, python: ctx.python };
  },
  variants: {
    'sampling off': (state) => runOurs(state, 0),
    'sampling on (500 ms)': (state) => runOurs(state, 500),
  },
};
