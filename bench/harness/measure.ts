// Runs one workload: per case, setup, warm-up, then counted runs that alternate the variants
// (the order rotates every round, so no variant always runs first on a cold cache or last on a
// hot machine), then teardown. A variant that is missing or throws is recorded with its reason
// and dropped from the later rounds; the others go on. Every call has a deadline, so a variant
// that hangs costs one timeout, not the whole bench.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { maximum, median, medianExtras, minimum, ratioOf } from './stats.ts';
import {
  NotAvailableError,
  type BenchContext,
  type CaseResult,
  type CaseSpec,
  type GoalVerdict,
  type MachineInfo,
  type Sample,
  type VariantRow,
  type Workload,
  type WorkloadResult,
} from './types.ts';

export interface MeasureOptions {
  runs: number;
  warmup: number;
  /** true when runs/warmup were given on the command line: they then win over a case's own */
  forced?: { runs: boolean; warmup: boolean };
  /** run only these variants (and the reference); all when absent */
  only?: string[];
  /** longest a single variant call may take before it is recorded as an error */
  callTimeoutMs: number;
  machine: MachineInfo;
}

interface VariantState {
  row: VariantRow;
  extras: Array<Record<string, number> | undefined>;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function callVariant<S>(
  fn: (state: S, ctx: BenchContext) => Promise<number | Sample | void>,
  state: S,
  ctx: BenchContext,
  timeoutMs: number,
): Promise<Sample> {
  const started = performance.now();
  const out = await withDeadline(fn(state, ctx), timeoutMs);
  const elapsed = performance.now() - started;
  if (out === undefined) return { value: elapsed };
  if (typeof out === 'number') return { value: out };
  return out;
}

function recordFailure(state: VariantState, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  state.row.status = error instanceof NotAvailableError ? 'not available' : 'error';
  state.row.reason = message;
}

async function runRound<S>(
  workload: Workload<S>,
  states: VariantState[],
  round: number,
  counted: boolean,
  setupState: S,
  ctx: BenchContext,
  timeoutMs: number,
): Promise<void> {
  const active = states.filter((s) => s.row.status === 'ok');
  const order = active.map((_, i) => active[(i + round) % active.length]);
  for (const state of order) {
    try {
      const sample = await callVariant(workload.variants[state.row.variant], setupState, ctx, timeoutMs);
      if (!Number.isFinite(sample.value)) throw new Error(`measured a non-number (${sample.value})`);
      if (counted) {
        state.row.samples.push(sample.value);
        state.extras.push(sample.extra);
      }
    } catch (error) {
      recordFailure(state, error);
      ctx.log(`  ${state.row.variant}: ${state.row.status}: ${state.row.reason}`);
    }
  }
}

async function measureCase<S>(
  workload: Workload<S>,
  spec: CaseSpec,
  ctx: BenchContext,
  options: MeasureOptions,
): Promise<CaseResult> {
  const runs = options.forced?.runs ? options.runs : (spec.runs ?? options.runs);
  const warmup = options.forced?.warmup ? options.warmup : (spec.warmup ?? options.warmup);
  const chosen = Object.keys(workload.variants).filter(
    (v) => !options.only || v === workload.reference || options.only.includes(v),
  );
  const states: VariantState[] = chosen.map((variant) => ({
    row: {
      variant,
      status: 'ok',
      reason: null,
      samples: [],
      median: null,
      min: null,
      max: null,
      ratio: null,
      extra: {},
    },
    extras: [],
  }));
  ctx.log(`${workload.name} ${spec.label}: setup`);
  const state = await workload.setup(ctx, spec);
  try {
    for (let round = 0; round < warmup; round += 1) {
      ctx.log(`${workload.name} ${spec.label}: warm-up ${round + 1}/${warmup}`);
      await runRound(workload, states, round, false, state, ctx, options.callTimeoutMs);
    }
    for (let round = 0; round < runs; round += 1) {
      ctx.log(`${workload.name} ${spec.label}: run ${round + 1}/${runs}`);
      await runRound(workload, states, round, true, state, ctx, options.callTimeoutMs);
    }
  } finally {
    await workload.teardown?.(state, ctx);
  }
  const rows = states.map(({ row, extras }) => ({
    ...row,
    median: median(row.samples),
    min: minimum(row.samples),
    max: maximum(row.samples),
    extra: medianExtras(extras),
  }));
  const reference = rows.find((r) => r.variant === workload.reference);
  for (const row of rows) row.ratio = ratioOf(row.median, reference?.median ?? null);
  return { label: spec.label, params: spec.params, runs, warmup, rows };
}

function judgeGoals(workload: Pick<Workload, 'goals' | 'unit'>, cases: CaseResult[]): GoalVerdict[] {
  return (workload.goals ?? []).flatMap((goal) =>
    cases.map((c) => {
      const row = c.rows.find((r) => r.variant === goal.variant);
      const against = goal.against === undefined ? null : c.rows.find((r) => r.variant === goal.against);
      const ratio = against === null ? (row?.ratio ?? null) : ratioOf(row?.median ?? null, against?.median ?? null);
      if (goal.compute !== undefined) {
        const figure = goal.compute(c);
        const value = figure === null ? null : `${Number(figure.toPrecision(3))} ${goal.unit ?? workload.unit}`;
        return { text: goal.text, case: c.label, ratio, value, met: figure === null ? null : figure <= goal.maxValue! };
      }
      if (goal.maxValue !== undefined) {
        const median = row?.median ?? null;
        const value = median === null ? null : `${Number(median.toPrecision(3))} ${workload.unit}`;
        return { text: goal.text, case: c.label, ratio, value, met: median === null ? null : median <= goal.maxValue };
      }
      return {
        text: goal.text,
        case: c.label,
        ratio,
        met: ratio === null ? null : ratio <= (goal.maxRatio ?? Infinity),
      };
    }),
  );
}

export async function measureWorkload<S>(
  workload: Workload<S>,
  ctx: BenchContext,
  options: MeasureOptions,
): Promise<WorkloadResult> {
  const startedAt = new Date();
  const loadAtStart = os.loadavg()[0];
  const cases: CaseResult[] = [];
  let error: string | null = null;
  let unavailable: string | null = null;
  try {
    for (const spec of workload.cases(ctx)) cases.push(await measureCase(workload, spec, ctx, options));
  } catch (caught) {
    // setup or teardown failed: keep what was measured, say what broke.
    const message = caught instanceof Error ? caught.message : String(caught);
    if (caught instanceof NotAvailableError) unavailable = message;
    else error = message;
    ctx.log(`${workload.name}: ${message}`);
  }
  return {
    name: workload.name,
    title: workload.title,
    metric: workload.metric,
    unit: workload.unit,
    reference: workload.reference,
    notes: workload.notes ?? null,
    smoke: ctx.smoke,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    machine: options.machine,
    cases,
    goals: judgeGoals(workload, cases),
    loadAverage: { start: loadAtStart, end: os.loadavg()[0] },
    conclusions: cases.length > 0 ? (workload.conclude?.(cases) ?? []) : [],
    error,
    unavailable,
  };
}
