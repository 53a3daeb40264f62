// Workload 6a: memory per concurrent slot. Each variant holds 1, then 8, sleeping scripts at once;
// once every sleeper has written its pid marker, the RSS (and PSS) of the whole process tree is
// summed from /proc. Per slot = (tree with 8 - tree with 1) / 7: for ours a supervisor thread
// and its Python child; for the peers whatever they add per running script.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { killToolGroup, startPythonPool, startXargs, type ToolRun } from '../peers/cli-tools.ts';
import { hasOurs } from '../harness/ours.ts';
import { killSurvivors, measureTreeMemory, waitForMarkers, waitUntilGone, type TreeMemory } from '../harness/proc.ts';
import { readMarkerPids, resetMarkers, writeSleeperScripts } from '../harness/scripts.ts';
import { NotAvailableError, type BenchContext, type Sample, type Workload } from '../harness/types.ts';

const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'probes', 'hold-slots.ts');

interface SlotState {
  dir: string;
  scripts: string[];
  python: string;
  low: number;
  high: number;
}

type Starter = (state: SlotState, slots: number) => ToolRun;

function startProbe(kind: 'ours' | 'spawn'): Starter {
  return (state, slots) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, PROBE, kind, String(slots), state.python, ...state.scripts],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const done = new Promise<{ code: number | null; stdout: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout: stderr })),
    );
    return { child, done };
  };
}

/** Starts `slots` sleepers with start, measures the tree once all run, then ends it cleanly. */
async function measureHolding(state: SlotState, start: Starter, slots: number, graceful: boolean): Promise<TreeMemory> {
  await resetMarkers(state.dir);
  const run = start(state, slots);
  let measured: { memory: TreeMemory } | { error: unknown };
  try {
    await Promise.race([
      waitForMarkers(state.dir, slots, 60_000),
      run.done.then(({ code, stdout }) => {
        throw new Error(`exited with ${code} before its scripts started: ${stdout.slice(-300)}`);
      }),
    ]);
    measured = { memory: measureTreeMemory(run.child.pid!) };
  } catch (error) {
    measured = { error };
  }
  if (graceful) run.child.kill('SIGTERM');
  else killToolGroup(run);
  const exited = await Promise.race([
    run.done.then(() => true),
    new Promise<boolean>((r) => setTimeout(r, 15_000, false)),
  ]);
  if (!exited) killToolGroup(run);
  const pids = await readMarkerPids(state.dir);
  if ((await waitUntilGone(pids, 10_000)) === null) {
    const left = killSurvivors(pids, state.dir);
    // An orphan outranks whatever else went wrong; that failure rides along as the cause.
    const cause = 'error' in measured ? { cause: measured.error } : undefined;
    throw new Error(`${left} sleeping children outlived the runner that held them`, cause);
  }
  if ('error' in measured) throw measured.error;
  return measured.memory;
}

function perSlot(start: Starter, graceful: boolean) {
  return async (state: SlotState): Promise<Sample> => {
    const low = await measureHolding(state, start, state.low, graceful);
    const high = await measureHolding(state, start, state.high, graceful);
    const slots = state.high - state.low;
    return {
      value: (high.rssKb - low.rssKb) / 1024 / slots,
      extra: {
        'PSS per slot MiB': (high.pssKb - low.pssKb) / 1024 / slots,
        [`tree RSS with ${state.low} MiB`]: low.rssKb / 1024,
        [`tree RSS with ${state.high} MiB`]: high.rssKb / 1024,
      },
    };
  };
}

const oursPerSlot = perSlot(startProbe('ours'), true);

export const memorySlotWorkload: Workload<SlotState> = {
  name: 'memory-slot',
  title: 'Memory per concurrent slot (a running script and what holds it)',
  metric: 'RSS of the process tree per extra running script, from /proc',
  unit: 'MiB',
  reference: 'spawn + p-limit',
  notes:
    'RSS sums count shared pages (the interpreter, libc) once per process; the PSS column splits them. ' +
    'The Node variants run in a fresh child process (node + tsx) so earlier workloads do not pollute them.',
  cases(ctx: BenchContext) {
    const [low, high] = ctx.smoke ? [1, 2] : [1, 8];
    return [{ label: `${low} vs ${high} slots`, params: { low: low, high: high }, warmup: 0 }];
  },
  async setup(ctx, spec) {
    const dir = path.join(ctx.tmpDir, 'memory-slot');
    const scripts = await writeSleeperScripts(dir, spec.params.high);
    return { dir, scripts, python: ctx.python, low: spec.params.low, high: spec.params.high };
  },
  variants: {
    async ours(state) {
      if (!(await hasOurs('ParallelRunner'))) throw new NotAvailableError('src/index.ts has no export ParallelRunner');
      return oursPerSlot(state);
    },
    'spawn + p-limit': perSlot(startProbe('spawn'), true),
    'xargs -P': perSlot((s, k) => startXargs(s.scripts.slice(0, k), s.python, k), false),
    ProcessPoolExecutor: perSlot((s, k) => startPythonPool(s.scripts.slice(0, k), s.python, k), false),
  },
  async teardown(state) {
    killSurvivors(await readMarkerPids(state.dir).catch(() => []), state.dir);
  },
};
