// Workload 2: the same trivial scripts at N = 100, 1,000 and 10,000, 2 wide. Time per script
// must stay flat as N grows, and so must the runner's own RSS and open fds, sampled every
// 100 ms in this process while ours runs. Against xargs -P2 at every N. N=1,000 gets 3 counted
// runs and N=10,000 one (about a minute per variant at ~5 ms per script) so the full bench fits
// in ~8 minutes on two cores; `--runs N` on the command line overrides both.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { sampleSelf } from '../harness/proc.ts';
import { writeTrivialScripts } from '../harness/scripts.ts';
import { formatNumber } from '../harness/stats.ts';
import type { CaseResult, CaseSpec, Sample, Workload } from '../harness/types.ts';
import {
  closeRunner,
  openRunner,
  runWithOpenRunner,
  runWithXargs,
  type OpenRunner,
  type ScriptBatch,
} from './script-variants.ts';

interface GrowthState extends ScriptBatch {
  dir: string;
  warm: OpenRunner;
}

async function perScript(batch: ScriptBatch, run: (b: ScriptBatch) => Promise<void>, sample: boolean): Promise<Sample> {
  const sampler = sample ? sampleSelf(100) : undefined;
  const started = performance.now();
  let stats: ReturnType<NonNullable<typeof sampler>['stop']> | undefined;
  try {
    await run(batch);
  } finally {
    stats = sampler?.stop();
  }
  const totalMs = performance.now() - started;
  const extra: Record<string, number> = { 'total s': totalMs / 1000 };
  if (stats) Object.assign(extra, { 'bench RSS peak MiB': stats.rssPeakMiB, 'bench fds max': stats.fdsMax });
  return { value: totalMs / batch.scripts.length, extra };
}

function oursRow(c: CaseResult) {
  return c.rows.find((r) => r.variant === 'ours' && r.median !== null);
}

function concludeGrowth(cases: CaseResult[]): string[] {
  const measured = cases.filter((c) => oursRow(c));
  if (measured.length < 2) return ['Too few sizes measured for ours to judge growth.'];
  const first = oursRow(measured[0])!;
  const last = oursRow(measured[measured.length - 1])!;
  const timeGrowth = last.median! / first.median!;
  const rssFirst = first.extra['bench RSS peak MiB'];
  const rssLast = last.extra['bench RSS peak MiB'];
  const fds = measured.map((c) => oursRow(c)!.extra['bench fds max'] ?? 0);
  const lines = [
    `Time per script, ours, ${measured[0].label} → ${measured[measured.length - 1].label}: ` +
      `${formatNumber(first.median)} → ${formatNumber(last.median)} ms (${timeGrowth.toFixed(2)}×): ` +
      (timeGrowth <= 1.2 ? 'does not grow (within 20%).' : '**grows** (more than 20%).'),
  ];
  if (rssFirst !== undefined && rssLast !== undefined) {
    lines.push(
      `Bench process RSS peak while ours ran: ${formatNumber(rssFirst)} → ${formatNumber(rssLast)} MiB ` +
        `(includes the ScriptResult of every script, kept as the API requires).`,
    );
  }
  lines.push(
    `Open fds (max sampled): ${fds.map((f) => formatNumber(f)).join(' → ')}: ` +
      (Math.max(...fds) - Math.min(...fds) <= 8 ? 'flat.' : '**NOT flat**.'),
  );
  return lines;
}

export const growthWorkload: Workload<GrowthState> = {
  name: 'growth',
  title: 'Growth: time per script against N, 2 wide',
  metric: 'wall time of the run divided by N',
  unit: 'ms/script',
  reference: 'xargs -P2',
  notes:
    'ours is one runner per N, opened and primed with 2 scripts before the timed runs. ' +
    'Extra columns are medians: total wall time, and for ours the bench process (where the runner lives) sampled every 100 ms.',
  cases(ctx): CaseSpec[] {
    if (ctx.smoke) return [4, 8, 16].map((n) => ({ label: `N=${n}`, params: { N: n } }));
    return [
      { label: 'N=100', params: { N: 100 } },
      { label: 'N=1000', params: { N: 1000 }, warmup: 0, runs: 3 },
      { label: 'N=10000', params: { N: 10_000 }, warmup: 0, runs: 1 },
    ];
  },
  async setup(ctx, spec) {
    const dir = path.join(ctx.tmpDir, `growth-${spec.params.N}`);
    const scripts = await writeTrivialScripts(dir, spec.params.N);
    const batch = { scripts, python: ctx.python, concurrency: 2 };
    return { ...batch, dir, warm: await openRunner(batch) };
  },
  variants: {
    ours: (state) => perScript(state, (b) => runWithOpenRunner(state.warm, b), true),
    'xargs -P2': (state) => perScript(state, runWithXargs, false),
  },
  async teardown(state) {
    await closeRunner(state.warm);
    await rm(state.dir, { recursive: true, force: true });
  },
  conclude: concludeGrowth,
};
