// Workload 1: 200 trivial Python scripts, 2 wide. ergate's ParallelRunner against xargs -P2 (the
// reference: the least a runner can cost), GNU parallel, a plain Node spawn loop under p-limit
// and the seed's ProcessPoolExecutor + subprocess.run harness; the fork floor (bare fork() +
// os._exit(0) from a python importing only os) and the fair floor (the parent compiles, pipes and
// forks, the child runs the script as __main__, the parent reads and wait4s) for the fork server.
// Goals (issues 13, 28): spawn at most 1.05x xargs (warm; 1.07x fresh) and 1.05x
// ProcessPoolExecutor; forkserver at most 0.25x xargs, 2.0x the bare floor, 1.5x the fair floor.
import path from 'node:path';
import { writeTrivialScripts } from '../harness/scripts.ts';
import type { Workload } from '../harness/types.ts';
import {
  closeRunner,
  openRunner,
  runFairFloor,
  runForkFloor,
  runWithGnuParallel,
  runWithNewRunner,
  runWithOpenRunner,
  runWithPythonPool,
  runWithSpawnLoop,
  runWithXargs,
  type OpenRunner,
  type ScriptBatch,
} from './script-variants.ts';

interface ScriptsState extends ScriptBatch {
  warm: OpenRunner;
  warmForkserver: OpenRunner;
}

export const scriptsWorkload: Workload<ScriptsState> = {
  name: 'scripts',
  title: '200 trivial Python scripts, 2 wide',
  metric: 'wall time of the whole run',
  unit: 'ms',
  reference: 'xargs -P2',
  goals: [
    { variant: 'ours', maxRatio: 1.05, text: 'ParallelRunner (warm) at most 1.05× xargs -P2' },
    {
      variant: 'ours (new runner per run)',
      maxRatio: 1.07,
      text: 'ParallelRunner (cold, one CLI call) at most 1.07× xargs -P2 (issue 28)',
    },
    {
      variant: 'ours (new runner per run)',
      against: 'ProcessPoolExecutor',
      maxRatio: 1.05,
      text: 'ParallelRunner (cold) at most 1.05× ProcessPoolExecutor (issue 13)',
    },
    {
      variant: 'ours (forkserver)',
      maxRatio: 0.25,
      text: "ParallelRunner startMethod 'forkserver' at most 0.25× xargs -P2 (issues 7, 13)",
    },
    {
      variant: 'ours (forkserver, new runner per run)',
      against: 'fork floor',
      maxRatio: 2.0,
      text: "startMethod 'forkserver' (cold) at most 2.0× the fork floor (issue 13)",
    },
    {
      variant: 'ours (forkserver, new runner per run)',
      against: 'fair floor',
      maxRatio: 1.5,
      text: "startMethod 'forkserver' (cold) at most 1.5× the fair floor (issue 28)",
    },
  ],
  notes:
    '"ours" reuses one runner opened and primed before the timed runs (a service); "new runner per run" ' +
    'also pays for starting and closing its supervisors (one CLI call). ' +
    'Every variant runs the same interpreter on the same files and must report every script passed. ' +
    'Output is captured by every variant (ours keeps it per script). "fork floor" forks and _exits only; ' +
    '"fair floor" is what any fork server must do: compile in the parent, pipes, fork, run as __main__, flush, ' +
    'read the pipes, wait4 (bench/peers/fair_floor.py). ' +
    'Earlier measurements on this ' +
    'design: a naive Node spawn loop 1.22× xargs, spawning from worker threads 1.15×.',
  cases: (ctx) => {
    const n = ctx.smoke ? 6 : 200;
    return [{ label: `N=${n}`, params: { N: n } }];
  },
  async setup(ctx, spec) {
    const scripts = await writeTrivialScripts(path.join(ctx.tmpDir, 'trivial'), spec.params.N);
    const batch = { scripts, python: ctx.python, concurrency: 2 };
    return { ...batch, warm: await openRunner(batch), warmForkserver: await openRunner(batch, 'forkserver') };
  },
  variants: {
    ours: (state) => runWithOpenRunner(state.warm, state),
    'ours (forkserver)': (state) => runWithOpenRunner(state.warmForkserver, state),
    'ours (new runner per run)': (state) => runWithNewRunner(state),
    'ours (forkserver, new runner per run)': (state) => runWithNewRunner(state, 'forkserver'),
    'fork floor': runForkFloor,
    'fair floor': runFairFloor,
    'xargs -P2': runWithXargs,
    'GNU parallel': runWithGnuParallel,
    'spawn + p-limit': runWithSpawnLoop,
    ProcessPoolExecutor: runWithPythonPool,
  },
  async teardown(state) {
    await Promise.all([closeRunner(state.warm), closeRunner(state.warmForkserver)]);
  },
};
