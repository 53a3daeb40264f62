// Issues 18 and 28, sampling cost: CPU time of the ergate process (every thread: process.cpuUsage)
// while ParallelRunner runs 40 scripts of ~1 s, 4 wide, with live sampling on (every 500 ms, the
// default) against off (sampleMs 0, the reference). Goals (issue 28): what sampling adds is
// <= 2% of the run's total CPU (ergate + launchers + scripts: this process's own and its reaped
// children's CPU from /proc/self/stat, runner start to close) and <= 50 µs of ergate CPU per
// process per pass (the main thread's, where passes run; the processes counted over every
// 'script.sample' event).
// The effect (~2 ms of ~100) is below the run-to-run noise of a plain measurement, so each run
// counts only the 40-script run itself: a fresh runner first runs 4 empty scripts (launcher
// start-up, the same in both variants, uncounted), and a full GC on each side of the counted
// run makes each run pay for collecting its own garbage and none of the previous run's.
import { readFileSync } from 'node:fs';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { onCpuNs } from '../harness/cpu-cost.ts';
import { requireOurs } from '../harness/ours.ts';
import type { CaseResult, Sample, Workload } from '../harness/types.ts';

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

/** CPU of this process and of its children it has reaped (launchers, and through them the scripts), ms. */
function ownAndChildrenCpuMs(): number {
  // Fields after the command's closing parenthesis: utime is the 14th of the line, cstime the 17th.
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0);
  return ticks * 10; // USER_HZ = 100
}

async function runOurs(state: CostState, sampleMs: number): Promise<Sample> {
  const ParallelRunner = await requireOurs('ParallelRunner');
  const totalBefore = ownAndChildrenCpuMs();
  let processPasses = 0;
  // What the runner needs of a mitt emitter: emit.
  const eventBus = {
    emit(type: string, event?: unknown): void {
      if (type === 'script.sample') processPasses += (event as { processes: number }).processes;
    },
  };
  const runner = new ParallelRunner({ maxWorkers: 4, python: state.python, sampleMs, eventBus });
  let used: NodeJS.CpuUsage;
  let mainBefore: number;
  let mainMs: number;
  try {
    await runner.runScripts(state.warmUp);
    collect();
    const before = process.cpuUsage();
    mainBefore = onCpuNs('thread-self'); // the main thread: passes run there
    const result = await runner.runScripts(state.scripts);
    collect();
    mainMs = (onCpuNs('thread-self') - mainBefore) / 1e6;
    used = process.cpuUsage(before);
    if (result.passed !== state.scripts.length)
      throw new Error(`only ${result.passed} of ${state.scripts.length} passed`);
  } finally {
    await runner.close();
  }
  return {
    value: (used.user + used.system) / 1000,
    extra: {
      'main thread ms': mainMs,
      'run CPU ms (all processes)': ownAndChildrenCpuMs() - totalBefore,
      'process passes': processPasses,
    },
  };
}

const OFF = 'sampling off';
const ON = 'sampling on (500 ms)';

/** What sampling adds to the ergate process's CPU: median on - median off, ms (every thread). */
function addedMs(c: CaseResult): number | null {
  const on = c.rows.find((r) => r.variant === ON)?.median ?? null;
  const off = c.rows.find((r) => r.variant === OFF)?.median ?? null;
  return on === null || off === null ? null : on - off;
}

/** The same on the main thread alone, where passes run: steadier than every thread's sum. */
function addedMainMs(c: CaseResult): number | null {
  const on = c.rows.find((r) => r.variant === ON)?.extra['main thread ms'];
  const off = c.rows.find((r) => r.variant === OFF)?.extra['main thread ms'];
  return on === undefined || off === undefined ? null : on - off;
}

export const resourcesSamplingCostWorkload: Workload<CostState> = {
  name: 'resources-sampling-cost',
  title: '40 scripts of ~1 s, 4 wide: CPU cost of live sampling',
  metric: 'CPU time (user + system, all threads) of the ergate process during the run, launcher start-up excluded',
  unit: 'ms',
  reference: 'sampling off',
  goals: [
    {
      variant: ON,
      compute: (c) => {
        const added = addedMs(c);
        const total = c.rows.find((r) => r.variant === OFF)?.extra['run CPU ms (all processes)'];
        return added === null || !total ? null : (100 * added) / total;
      },
      maxValue: 2,
      unit: '% of the run CPU',
      text: "CPU sampling adds to ergate <= 2% of the run's total CPU (ergate + launchers + scripts; issue 28)",
    },
    {
      variant: ON,
      compute: (c) => {
        const added = addedMainMs(c);
        const passes = c.rows.find((r) => r.variant === ON)?.extra['process passes'];
        return added === null || !passes ? null : (1000 * added) / passes;
      },
      maxValue: 50,
      unit: 'µs',
      text: 'ergate CPU (main thread, where passes run) per process per sampling pass <= 50 µs (issue 28)',
    },
    {
      variant: ON,
      maxRatio: 1.02,
      text: 'CPU of the ergate process with sampling on within 2% of off (issue 18)',
    },
  ],
  notes:
    'Each script sleeps 1 s. Sampling reads each running tree from /proc on one shared timer (a pass due within a ' +
    'quarter interval runs early when a script starts or ends, as the process is awake then): stat (CPU, RSS) ' +
    "and children lists every pass, statm (resident - shared) at a process's first two reads, smaps_rollup " +
    '(PSS) from its third read on when its RSS moved or its PSS is old. "run CPU ms" is this process\'s ' +
    "CPU and its reaped children's (launchers, scripts) from /proc/self/stat, runner start to close (warm-up " +
    'and launcher start-up included, 10 ms ticks); "process passes" counts the (process, pass) pairs actually ' +
    'read: the processes of every script.sample (a read of a process that had just ended is paid but not ' +
    "counted, so the per-pair figure errs high). Per pair = (median on - median off of the main thread's CPU, " +
    "from /proc/thread-self/schedstat: passes run there, and it varies less than every thread's sum) / median pairs. " +
    'The floor under it (the same reads from a bare timer, the scripts run by another process): ' +
    'bench/probes/sampling-floor.ts. ' +
    'A fresh runner per run, which first runs 4 empty scripts uncounted (its launchers start); a full GC ' +
    'before and inside the counted span, so each run pays for its own garbage only. The same runs with ' +
    'builds side by side: bench/probes/sampling-ab.ts.',
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
    [OFF]: (state) => runOurs(state, 0),
    [ON]: (state) => runOurs(state, 500),
  },
};
