// The data the HTML report's page (html/page.js) draws from, as it is inlined into the page:
// compact and columnar, so a 100,000-script run stays a few MB and parses fast. Times are ms
// from the run's first start; status codes index STATUSES; names and reasons index `strings`.
// Both sides of the page keep to these shapes: html-page-builder.ts writes them, page.js reads them.

export const STATUSES = ['passed', 'failed', 'timeout', 'error', 'cancelled'] as const;

/** One bar per attempt; column i of every array is attempt i, ordered by lane then start. */
export interface PageBars {
  start: number[];
  duration: number[];
  lane: number[];
  /** index into STATUSES */
  status: number[];
  /** index into PageData.scripts */
  script: number[];
  /** 1 for the first run of a script */
  attempt: number[];
  /** peak tree memory in KiB; -1 when it was not sampled */
  peakKb: number[];
  /** why it ended, index into PageData.strings */
  reason: number[];
}

/** One stacked band of the memory chart: a script of its own, or the rest together. */
export interface MemorySeries {
  label: string;
  /** index into PageData.scripts; -1 for "every other script" */
  script: number;
  peakKb: number;
  /** KiB at each step of the grid */
  values: number[];
}

export interface PageMemory {
  stepMs: number;
  series: MemorySeries[];
  /** the highest stacked total, when, and the script that held the most memory then */
  peakTotalKb: number;
  peakAtMs: number;
  peakScript: number;
}

export interface PageFailure {
  script: number;
  status: string;
  reason: string;
  attempts: number;
  durationMs: number;
  stdout: string;
  stderr: string;
}

export interface PageTest {
  script: number;
  id: string;
  status: string;
  durationMs: number | null;
  message: string;
}

export interface PageLeftover {
  script: number;
  pid: number;
  command: string;
}

export interface PageData {
  version: 1;
  ergateVersion: string;
  startTime: string;
  durationMs: number;
  counts: Record<(typeof STATUSES)[number] | 'total' | 'notStarted' | 'flaky' | 'attempts', number>;
  success: boolean;
  interrupted: boolean;
  halted: string | null;
  /** slots of the run (--jobs), when the report knows it */
  jobs: number | null;
  memoryBudgetMb: number | null;
  strings: string[];
  /** each script: its display name (index into strings) and how many attempts it took */
  scripts: { name: number[]; attempts: number[] };
  lanes: string[];
  /** distinct `ergate worker`s that ran something (0 for a local run) */
  workers: number;
  bars: PageBars;
  memory: PageMemory | null;
  slowest: { script: number; durationMs: number; peakKb: number; status: string }[];
  failures: PageFailure[];
  /** failures beyond the ones listed with their output */
  moreFailures: number;
  flaky: { script: number; attempts: number; durationMs: number }[];
  tests: PageTest[];
  moreTests: number;
  leftovers: PageLeftover[];
  moreLeftovers: number;
  notStarted: string[];
  moreNotStarted: number;
}
