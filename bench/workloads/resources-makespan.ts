// Issue 18, order from history: one ~3 s script and 40 of ~0.1 s, 2 wide, the long one last
// in the given order. ParallelRunner in the given order and with `order: 'longest-first'` over
// a history recorded by a real run in setup, against xargs -P2 (the reference). Each variant
// is one fresh runner, as one CLI call pays. Optimum ~3.5 s (long one first, the rest beside it).
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { requireOurs } from '../harness/ours.ts';
import type { Workload } from '../harness/types.ts';
import { runWithXargs, type ScriptBatch } from './script-variants.ts';

interface MakespanState extends ScriptBatch {
  history: string;
}

async function runOurs(state: MakespanState, order: 'given' | 'longest-first'): Promise<void> {
  const ParallelRunner = await requireOurs('ParallelRunner');
  const runner = new ParallelRunner({
    maxWorkers: state.concurrency,
    python: state.python,
    ...(order !== 'given' && { history: state.history, order }),
  });
  try {
    const result = await runner.runScripts(state.scripts);
    if (result.passed !== state.scripts.length)
      throw new Error(`only ${result.passed} of ${state.scripts.length} passed`);
  } finally {
    await runner.close();
  }
}

export const resourcesMakespanWorkload: Workload<MakespanState> = {
  name: 'resources-makespan',
  title: 'One long script given last, 40 short ones, 2 wide: order from history',
  metric: 'wall time of the whole run (makespan)',
  unit: 'ms',
  reference: 'xargs -P2',
  goals: [
    {
      variant: 'ours, longest-first',
      maxRatio: 0.8,
      text: "order 'longest-first' with history at most 0.8× xargs -P2 (issue 18)",
    },
    {
      variant: 'ours, longest-first',
      against: 'ours, given order',
      maxRatio: 0.8,
      text: "order 'longest-first' with history at most 0.8× the given order (issue 18)",
    },
  ],
  notes:
    'The long script sleeps 3 s, each short one 0.1 s; the long one is last in the list. The history ' +
    'file is written by one real run in setup (ParallelRunner with `history`), so the order comes from ' +
    'measured medians. Every variant is a fresh runner (what one `ergate run` pays).',
  cases: (ctx) => {
    const short = ctx.smoke ? 4 : 40;
    return [
      { label: `1×3 s + ${short}×0.1 s`, params: { short, longS: ctx.smoke ? 0.3 : 3 }, runs: ctx.smoke ? 1 : 3 },
    ];
  },
  async setup(ctx, spec) {
    const dir = path.join(ctx.tmpDir, 'makespan');
    await mkdir(dir, { recursive: true });
    const scripts: string[] = [];
    for (let i = 0; i < spec.params.short; i++) {
      const file = path.join(dir, `short_${String(i).padStart(3, '0')}.py`);
      await writeFile(file, 'import time\ntime.sleep(0.1)\n');
      scripts.push(file);
    }
    const long = path.join(dir, 'long.py');
    await writeFile(long, `import time\ntime.sleep(${spec.params.longS})\n`);
    scripts.push(long);
    const state = { scripts, python: ctx.python, concurrency: 2, history: path.join(dir, 'history.ndjson') };
    // One real run records every script's duration in the history.
    const ParallelRunner = await requireOurs('ParallelRunner');
    const runner = new ParallelRunner({ maxWorkers: 2, python: ctx.python, history: state.history });
    await runner.runScripts(scripts).finally(() => runner.close());
    return state;
  },
  variants: {
    'ours, given order': (state) => runOurs(state, 'given'),
    'ours, longest-first': (state) => runOurs(state, 'longest-first'),
    'xargs -P2': runWithXargs,
  },
};
