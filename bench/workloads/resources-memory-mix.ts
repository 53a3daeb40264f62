// Issue 18, memory-aware admission: 8 scripts that each allocate and hold 150 MiB for 1.5 s,
// 4 wide, under a budget that fits two (375 MiB). Measured: the peak of the scripts' summed
// memory (PSS of every descendant of the runner, sampled every 50 ms by the bench itself).
// ParallelRunner with memoryBudgetMb (history from a real run in setup), without it, and xargs -P4.
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { requireOurs } from '../harness/ours.ts';
import { listProcessTree } from '../harness/proc.ts';
import { ProcReader } from '../../src/resources/proc-reader.ts';
import { startXargs, expectSuccess } from '../peers/cli-tools.ts';
import type { Sample, Workload } from '../harness/types.ts';

interface MixState {
  scripts: string[];
  python: string;
  history: string;
  budgetMb: number;
}

const HOLD_MB = 150;

/** The peak summed PSS (MiB) of root's descendants (not root itself) while `run` runs. */
async function peakOfDescendants(root: () => number | null, run: () => Promise<void>): Promise<number> {
  let peakKb = 0;
  const reader = new ProcReader();
  const timer = setInterval(() => {
    const pid = root();
    if (pid === null) return;
    const kb = listProcessTree(pid)
      .slice(1)
      .reduce((sum, child) => sum + (reader.read(child)?.memoryKb ?? 0), 0);
    reader.endPass();
    peakKb = Math.max(peakKb, kb);
  }, 50);
  try {
    await run();
  } finally {
    clearInterval(timer);
    reader.close();
  }
  return Math.round(peakKb / 1024);
}

async function runOurs(state: MixState, budget: boolean): Promise<Sample> {
  const ParallelRunner = await requireOurs('ParallelRunner');
  const runner = new ParallelRunner({
    maxWorkers: 4,
    python: state.python,
    history: state.history,
    ...(budget && { memoryBudgetMb: state.budgetMb }),
  });
  try {
    let passed = 0;
    const peak = await peakOfDescendants(
      () => process.pid,
      async () => {
        passed = (await runner.runScripts(state.scripts)).passed;
      },
    );
    if (passed !== state.scripts.length) throw new Error(`only ${passed} of ${state.scripts.length} passed`);
    return { value: peak };
  } finally {
    await runner.close();
  }
}

async function runXargs(state: MixState): Promise<Sample> {
  const run = startXargs(state.scripts, state.python, 4);
  const peak = await peakOfDescendants(
    () => run.child.pid ?? null,
    () => expectSuccess(run, 'xargs'),
  );
  return { value: peak };
}

export const resourcesMemoryMixWorkload: Workload<MixState> = {
  name: 'resources-memory-mix',
  title: `8 scripts holding ${HOLD_MB} MiB each, 4 wide, a budget that fits two`,
  metric: "peak of the scripts' summed memory (PSS), sampled every 50 ms",
  unit: 'MiB',
  reference: 'xargs -P4',
  goals: [
    {
      variant: 'ours, memoryBudgetMb',
      maxValue: 375,
      text: 'with memoryBudgetMb 375 the sampled total never exceeds the budget, all pass (issue 18)',
    },
  ],
  notes:
    `Each script allocates and touches ${HOLD_MB} MiB, holds it 1.5 s and exits 0. The budget (375 MiB) ` +
    'fits two such scripts (each ~160 MiB with the interpreter) but not three. Predicted peaks come from a ' +
    'history written by one real run in setup. Without the budget, and with xargs -P4, four run at once. ' +
    "Ours' peaks include its launcher processes (one per slot), which are descendants of the runner too.",
  // Smoke: small and short, only to prove the workload still runs.
  cases: (ctx) => [
    {
      label: '8 × 150 MiB, 4 wide',
      params: ctx.smoke ? { n: 4, mb: 16, holdS: 0.2 } : { n: 8, mb: HOLD_MB, holdS: 1.5 },
      runs: ctx.smoke ? 1 : 3,
    },
  ],
  async setup(ctx, spec) {
    const dir = path.join(ctx.tmpDir, 'memory-mix');
    await mkdir(dir, { recursive: true });
    const scripts: string[] = [];
    for (let i = 0; i < spec.params.n; i++) {
      const file = path.join(dir, `hold_${i}.py`);
      await writeFile(
        file,
        `import time\ndata = b'\\x01' * (${spec.params.mb} << 20)\ntime.sleep(${spec.params.holdS})\n`,
      );
      scripts.push(file);
    }
    const state = { scripts, python: ctx.python, history: path.join(dir, 'history.ndjson'), budgetMb: 375 };
    const ParallelRunner = await requireOurs('ParallelRunner');
    const runner = new ParallelRunner({ maxWorkers: 4, python: ctx.python, history: state.history });
    await runner.runScripts(scripts).finally(() => runner.close());
    return state;
  },
  variants: {
    'ours, memoryBudgetMb': (state) => runOurs(state, true),
    'ours, no budget': (state) => runOurs(state, false),
    'xargs -P4': runXargs,
  },
  conclude(cases) {
    return cases.flatMap((c) =>
      c.rows.flatMap((r) => {
        if (r.variant === 'ours, memoryBudgetMb' || r.median === null) return [];
        return [`${r.variant}: peak ${r.median} MiB, ${r.median > 375 ? 'over' : 'within'} the 375 MiB budget`];
      }),
    );
  },
};
