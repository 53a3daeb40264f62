// Issue 28, goals 1 and 2 in CPU time (wall means little on a shared 2-core machine): what
// one trivial script costs ergate, next to the fork floors. Per script = (a 200-script round -
// a 2-script round) / 198 on a fresh runner, so launcher start-up and close fall out.
// Children's CPU comes from the kernel's accounting (cutime/cstime of reaped descendants;
// a launcher's own on-CPU time from /proc/<pid>/schedstat, its children excluded); Node's
// from process.cpuUsage(). Goals: forkserver <= 1.4 ms a script in all (Node + launcher +
// child), spawn <= 0.4 ms of ergate's own CPU a script (Node + launcher loop, script excluded),
// measured as the issue does with /bin/true as the script (a shim named as the interpreter,
// true-shim.ts), next to the spawn floor: bare Python loops driven by this process the same way.
import path from 'node:path';
import { measureCost, type Cost } from '../harness/cpu-cost.ts';
import { launcherCost } from '../harness/launcher-cost.ts';
import { requireOurs } from '../harness/ours.ts';
import { writeTrivialScripts } from '../harness/scripts.ts';
import { buildTrueShim } from '../harness/true-shim.ts';
import type { Sample, Workload } from '../harness/types.ts';
import { spawnFloor } from '../peers/spawn-floor.ts';
import { expectSuccess, startFairFloor, startForkFloor } from '../peers/cli-tools.ts';
import type { StartMethod } from '../../src/index.ts';

interface CpuState {
  scripts: string[];
  python: string;
  /** ctx.python behind the /bin/true shim (true-shim.ts), or why it could not be built */
  trueShim: string | Error;
}

const SMALL = 2;

/** `measure` of a SMALL-script run and of the full run; per script = (full - small) / n. */
async function smallAndFull<T>(
  state: CpuState,
  measure: (scripts: string[]) => Promise<T>,
): Promise<{ small: T; full: T; n: number }> {
  const small = await measure(state.scripts.slice(0, SMALL));
  const full = await measure(state.scripts);
  return { small, full, n: state.scripts.length - SMALL };
}

/** One fresh runner over `scripts`: Node's CPU, its launchers' own, and all reaped children's. */
async function freshRun(
  python: string,
  scripts: string[],
  startMethod: StartMethod,
): Promise<Cost & { launcher: { ms: number; faults: number } }> {
  const ParallelRunner = await requireOurs('ParallelRunner');
  let launcher = { ms: 0, faults: 0 };
  const cost = await measureCost(async () => {
    const runner = new ParallelRunner({ maxWorkers: 2, python, startMethod });
    try {
      const result = await runner.runScripts(scripts, { timeoutMs: 60_000 });
      if (result.passed !== scripts.length) throw new Error(`only ${result.passed} of ${scripts.length} passed`);
      launcher = launcherCost();
    } finally {
      await runner.close();
    }
  });
  return { ...cost, launcher };
}

async function perScript(
  state: CpuState,
  startMethod: StartMethod,
  own: boolean,
  python = state.python,
): Promise<Sample> {
  const { small, full, n } = await smallAndFull(state, (scripts) => freshRun(python, scripts, startMethod));
  const node = (full.nodeMs - small.nodeMs) / n;
  const launcher = (full.launcher.ms - small.launcher.ms) / n;
  const all = (full.nodeMs + full.childMs - small.nodeMs - small.childMs) / n;
  return {
    value: own ? node + launcher : all,
    extra: {
      'Node ms': node,
      'launchers ms': launcher,
      'all ms': all,
      'child faults': (full.childFaults - small.childFaults) / n,
      'launcher faults': (full.launcher.faults - small.launcher.faults) / n,
    },
  };
}

async function floor(state: CpuState, fair: boolean): Promise<Sample> {
  const run = (list: string[]) =>
    measureCost(() =>
      expectSuccess(
        fair ? startFairFloor(list, state.python, 2) : startForkFloor(list.length, state.python, 2),
        fair ? 'fair floor' : 'fork floor',
      ),
    );
  const { small, full, n } = await smallAndFull(state, run);
  return {
    value: (full.childMs - small.childMs) / n,
    extra: { 'all ms': (full.childMs - small.childMs) / n, 'child faults': (full.childFaults - small.childFaults) / n },
  };
}

/** ergate's own CPU a script with /bin/true as the script (the shim), as issue 28 measures it. */
function spawnTrue(state: CpuState): Promise<Sample> {
  if (state.trueShim instanceof Error) throw state.trueShim;
  return perScript(state, 'spawn', true, state.trueShim);
}

/** The spawn floor's own CPU a script: this process driving bare Python loops (peers/spawn-floor.ts). */
async function spawnFloorPerScript(state: CpuState): Promise<Sample> {
  if (state.trueShim instanceof Error) throw state.trueShim;
  const shim = state.trueShim;
  const { small, full, n } = await smallAndFull(state, (scripts) => spawnFloor(state.python, shim, scripts, 2));
  const node = (full.nodeMs - small.nodeMs) / n;
  const loops = (full.loopMs - small.loopMs) / n;
  return { value: node + loops, extra: { 'Node ms': node, 'launchers ms': loops } };
}

const SPAWN_TRUE = 'ours (spawn, /bin/true as the script): Node + launcher';
const SPAWN_FLOOR = 'spawn floor (/bin/true): Node + bare Python loop';

export const scriptCpuWorkload: Workload<CpuState> = {
  name: 'script-cpu',
  title: 'CPU per trivial script, 2 wide, fresh runner (issue 28)',
  metric: 'CPU time per script: (200-script run - 2-script run) / 198',
  unit: 'ms/script',
  reference: 'fair floor',
  goals: [
    {
      variant: 'ours (forkserver): Node + launcher + child',
      maxValue: 1.4,
      text: "startMethod 'forkserver': at most 1.4 ms of CPU a script in all (issue 28)",
    },
    {
      variant: SPAWN_TRUE,
      maxValue: 0.4,
      text: "startMethod 'spawn': ergate's own CPU (Node + launcher loop) at most 0.4 ms a script, /bin/true as the script (issue 28)",
    },
  ],
  notes:
    'Scripts are `print(\'ok\')`. "fair floor": the parent compiles the script, makes its pipes and forks, the ' +
    'child runs it as __main__ and flushes, the parent reads the pipes and wait4s (peers/fair_floor.py); ' +
    '"fork floor": fork() + os._exit(0) only. Children are counted from the kernel\'s accounting of reaped ' +
    "descendants, a launcher's own CPU from /proc/<pid>/schedstat read before close (its scripts excluded), " +
    "Node's from process.cpuUsage (every thread). Extra columns split ours into Node, launchers and all; child faults: minor page faults of every reaped process (launchers and scripts) a script, launcher faults: the launchers' own. " +
    '"/bin/true as the script" (the issue\'s method for the spawn goal): ergate\'s `python` is a shim ' +
    '(peers/true_shim.c, built with cc) that exits 0 at once for these scripts and execs the real interpreter ' +
    'for the launcher, so the Python children no longer share the two cores and their caches with Node. ' +
    '"spawn floor": what the same drive costs with nothing of ergate: two bare Python loops (peers/spawn_floor.py: ' +
    'a request line in, pipes, vfork + exec of the shim, "S pid" out, pipes read to EOF, waitpid, "X status" ' +
    'out), fed from this process (peers/spawn-floor.ts); its columns are this process and the loops.',
  cases: (ctx) => {
    const n = ctx.smoke ? 6 : 200;
    return [{ label: `N=${n}`, params: { N: n } }];
  },
  async setup(ctx, spec) {
    const scripts = await writeTrivialScripts(path.join(ctx.tmpDir, 'trivial'), spec.params.N);
    // Kept, not thrown: only the two variants that need the shim fail ("not available" without cc).
    let trueShim: string | Error;
    try {
      trueShim = buildTrueShim(ctx.tmpDir, ctx.python);
    } catch (caught) {
      trueShim = caught instanceof Error ? caught : new Error(String(caught));
    }
    return { scripts, python: ctx.python, trueShim };
  },
  variants: {
    'fair floor': (state) => floor(state, true),
    'fork floor': (state) => floor(state, false),
    'ours (forkserver): Node + launcher + child': (state) => perScript(state, 'forkserver', false),
    'ours (spawn): Node + launcher (script excluded)': (state) => perScript(state, 'spawn', true),
    [SPAWN_TRUE]: spawnTrue,
    [SPAWN_FLOOR]: spawnFloorPerScript,
  },
};
