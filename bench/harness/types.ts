// Shapes shared by the bench harness and every workload. A workload names its cases (sizes),
// sets up shared state per case, and offers one function per variant (ours and its peers);
// the harness alone decides order, warm-up, counting and statistics (measure.ts).

/** What a workload sees while it runs. */
export interface BenchContext {
  /** tiny sizes, one run, no warm-up: proves the workload still runs, measures nothing */
  smoke: boolean;
  /** the one interpreter every workload and peer uses */
  python: string;
  /** scratch folder owned by this workload; removed after it */
  tmpDir: string;
  /** progress line on stderr */
  log(message: string): void;
}

/** One measurement. `extra` carries side numbers (RSS, fds, totals) reported as medians. */
export interface Sample {
  value: number;
  extra?: Record<string, number>;
}

/**
 * One variant of one case. Resolving with nothing means "time me": the harness records the
 * wall time of the call in ms. Resolving with a number or Sample records that instead.
 * Throw NotAvailableError when the component or tool is missing; any other throw is an error.
 */
export type VariantFn<S> = (state: S, ctx: BenchContext) => Promise<number | Sample | void>;

export interface CaseSpec {
  /** e.g. 'N=1000' */
  label: string;
  params: Record<string, number>;
  /** counted runs for this case, overriding the harness default (time budget) */
  runs?: number;
  /** warm-up runs for this case, overriding the harness default */
  warmup?: number;
}

export interface Goal {
  variant: string;
  /** the variant's median divided by the reference's must not exceed this */
  maxRatio?: number;
  /** take maxRatio against this variant instead of the workload's reference */
  against?: string;
  /** or: the variant's median itself (in the workload's unit) must not exceed this */
  maxValue?: number;
  /**
   * or: a figure drawn from the whole case (several variants' medians and extras), which must
   * not exceed maxValue; `unit` names it. `variant` is then the row the figure is about.
   */
  compute?: (c: CaseResult) => number | null;
  unit?: string;
  text: string;
}

export interface Workload<S = unknown> {
  name: string;
  title: string;
  /** what `value` is, e.g. 'wall time' */
  metric: string;
  /** 'ms', 'ms/script', 'MiB', 'B' … lower is always better */
  unit: string;
  /** the variant every ratio is taken against */
  reference: string;
  goals?: Goal[];
  /** one-paragraph description printed under the table */
  notes?: string;
  cases(ctx: BenchContext): CaseSpec[];
  /** may be synchronous: the harness awaits what it returns either way */
  setup(ctx: BenchContext, spec: CaseSpec): S | Promise<S>;
  variants: Record<string, VariantFn<S>>;
  teardown?(state: S, ctx: BenchContext): Promise<void>;
  /** plain-language findings drawn from the finished cases (e.g. "time per script stays flat") */
  conclude?(cases: CaseResult[]): string[];
}

export type RowStatus = 'ok' | 'not available' | 'error';

export interface VariantRow {
  variant: string;
  status: RowStatus;
  /** reason when status is not 'ok' */
  reason: string | null;
  samples: number[];
  median: number | null;
  min: number | null;
  max: number | null;
  /** median / reference median */
  ratio: number | null;
  extra: Record<string, number>;
}

export interface CaseResult {
  label: string;
  params: Record<string, number>;
  runs: number;
  warmup: number;
  rows: VariantRow[];
}

export interface GoalVerdict {
  text: string;
  case: string;
  ratio: number | null;
  /** set for a maxValue goal: the variant's median, with the unit */
  value?: string | null;
  met: boolean | null;
}

export interface WorkloadResult {
  name: string;
  title: string;
  metric: string;
  unit: string;
  reference: string;
  notes: string | null;
  smoke: boolean;
  startedAt: string;
  durationMs: number;
  machine: MachineInfo;
  cases: CaseResult[];
  goals: GoalVerdict[];
  conclusions: string[];
  /** 1-minute load average when the workload started and ended (busy if above the core count) */
  loadAverage: { start: number; end: number };
  /** set when setup or teardown itself failed */
  error: string | null;
  /** set when setup found a tool or service the whole workload needs missing (NotAvailableError) */
  unavailable?: string | null;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  python: string;
  pythonVersion: string;
  /** which ergate was measured: TypeScript sources under tsx, or the compiled dist/ */
  ergateBuild: string;
  loadAverage: number[];
}

/** Thrown by a variant whose component (an ergate export) or tool (GNU parallel) is missing. */
export class NotAvailableError extends Error {
  override name = 'NotAvailableError';
}
