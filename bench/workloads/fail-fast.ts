// Workload 3: fail-fast latency. 49 sleeping scripts and one failer run 50 wide; the failer waits
// until every sleeper has written its pid marker, notes the time and exits 1. Measured: from that
// moment to the last sleeper gone from /proc (killed and reaped). Ours (ParallelRunner failFast)
// against a Node spawn loop that SIGKILLs on the first failure and GNU parallel --halt now,fail=1.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startGnuParallel } from '../peers/cli-tools.ts';
import { runSpawnLoop } from '../peers/spawn-loop.ts';
import { requireOurs } from '../harness/ours.ts';
import { killSurvivors, waitUntilGone } from '../harness/proc.ts';
import { readMarkerPids, resetMarkers, writeFailerScript, writeSleeperScripts } from '../harness/scripts.ts';
import type { BenchContext, Sample, Workload } from '../harness/types.ts';

interface FailFastState {
  dir: string;
  scripts: string[];
  python: string;
}

/** Runs `run` (which must end after the failure), then times failure → every sleeper reaped. */
async function measureLatency(state: FailFastState, run: () => Promise<void>): Promise<Sample> {
  await resetMarkers(state.dir);
  await run();
  const returnedAt = Date.now();
  const failTime = await readFile(path.join(state.dir, 'fail-time'), 'utf8').catch(() => null);
  if (failTime === null) throw new Error('the failing script never recorded its failure: did it run at all?');
  const failedAt = Number(failTime) * 1000;
  const pids = await readMarkerPids(state.dir);
  const goneAt = await waitUntilGone(pids, 15_000);
  if (goneAt === null) {
    const left = killSurvivors(pids, state.dir);
    throw new Error(`${left} sleeping children were still alive 15 s after the run returned`);
  }
  if (pids.length < state.scripts.length - 1) {
    throw new Error(`only ${pids.length} of ${state.scripts.length - 1} sleepers had started`);
  }
  return { value: goneAt - failedAt, extra: { 'returned after ms': returnedAt - failedAt } };
}

async function runOurs(state: FailFastState): Promise<Sample> {
  const ParallelRunner = await requireOurs('ParallelRunner');
  const runner = new ParallelRunner({ maxWorkers: state.scripts.length, failFast: true, python: state.python });
  try {
    return await measureLatency(state, async () => {
      const result = await runner.runScripts(state.scripts, { timeoutMs: 120_000 });
      if (result.failed < 1) throw new Error(`ParallelRunner reported no failure (${JSON.stringify(result.toJSON())})`);
    });
  } finally {
    await runner.close();
  }
}

async function runSpawn(state: FailFastState): Promise<Sample> {
  return measureLatency(state, async () => {
    const result = await runSpawnLoop(state.scripts, {
      python: state.python,
      concurrency: state.scripts.length,
      failFast: true,
    });
    if (result.failed < 1) throw new Error('spawn loop saw no failure');
  });
}

async function runGnuParallel(state: FailFastState): Promise<Sample> {
  return measureLatency(state, async () => {
    const { code } = await startGnuParallel(state.scripts, state.python, state.scripts.length, true).done;
    if (code === 0) throw new Error('GNU parallel reported no failure');
  });
}

export const failFastWorkload: Workload<FailFastState> = {
  name: 'fail-fast',
  title: 'Fail-fast latency with 50 running children',
  metric: 'time from the failing script exiting to the last sibling reaped',
  unit: 'ms',
  reference: 'spawn + p-limit',
  goals: [
    {
      variant: 'ours',
      maxValue: 100,
      text: 'ParallelRunner failFast: failing exit to last sibling reaped at most 100 ms (issue 4)',
    },
    {
      variant: 'ours',
      maxRatio: 1.5,
      text: 'ParallelRunner failFast at most 1.5× the spawn + SIGKILL loop (issue 13)',
    },
  ],
  notes:
    'The failer records the time just before it exits; "reaped" means the sleeper\'s pid is gone from /proc ' +
    '(a zombie still counts as alive). Extra column: when the run itself returned. GNU parallel sends its ' +
    'default --termseq (TERM, then KILL after 200+100+50+25 ms) to running jobs.',
  cases(ctx: BenchContext) {
    const n = ctx.smoke ? 6 : 50;
    return [{ label: `${n} running children`, params: { children: n } }];
  },
  async setup(ctx, spec) {
    const dir = path.join(ctx.tmpDir, 'fail-fast');
    const sleepers = await writeSleeperScripts(dir, spec.params.children - 1);
    const failer = await writeFailerScript(dir, sleepers.length);
    return { dir, scripts: [...sleepers, failer], python: ctx.python };
  },
  variants: {
    ours: runOurs,
    'spawn + p-limit': runSpawn,
    'GNU parallel': runGnuParallel,
  },
  async teardown(state) {
    // Whatever a broken variant left running must not outlive the bench.
    killSurvivors(await readMarkerPids(state.dir).catch(() => []), state.dir);
  },
};
