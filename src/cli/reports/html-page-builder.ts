// Builds the HTML report's PageData from results one at a time (a live run) or from a saved
// JSON report: it keeps a few numbers per attempt, a thinned memory series, and bounded lists
// (slowest, failures with output tails, flaky, failing tests, leftovers), so a run of any size
// ends in bounded memory per script and the page stays small. Every result counts once.
import type { ScriptResult } from '../../script/types.ts';
import { thinPoints } from '../../resources/sample-series.ts';
import { isFlaky, reasonOf, tailChars } from './run-report.ts';
import { displayName } from './script-names.ts';
import { readableBytes } from '../../internal/byte-names.ts';
import { stackMemory, type SampledAttempt } from './html-memory.ts';
import { STATUSES, type PageData } from './html-page-data.ts';
import { laneOrder } from './html-lanes.ts';

/** A result as the JSON report holds it. */
export type ReportedResult = ScriptResult & { flaky?: boolean };

/** What the page needs besides the results: the run's totals as the JSON report ends. */
export interface RunFacts {
  startTime: string;
  durationMs: number;
  total: number;
  interrupted: boolean;
  halted: string | null;
  notStarted: string[];
  jobs: number | null;
  memoryBudgetMb: number | null;
  ergateVersion: string;
}

/** Memory points kept per attempt for the chart (the chart's grid is coarser anyway). */
const POINTS_PER_ATTEMPT = 16;
const LIST = { slowest: 10, failures: 200, flaky: 200, tests: 500, leftovers: 500, notStarted: 500 };

interface Attempt extends SampledAttempt {
  /** epoch ms; made relative to the run's first start at build() */
  at: number;
  lane: string;
  status: number;
  attempt: number;
  reason: number;
}

export class HtmlPageBuilder {
  readonly #strings: string[] = [];
  readonly #stringIds = new Map<string, number>();
  readonly #attempts: Attempt[] = [];
  readonly #scripts: PageData['scripts'] = { name: [], attempts: [] };
  readonly #counts = { passed: 0, failed: 0, timeout: 0, error: 0, cancelled: 0, flaky: 0 };
  readonly #data: Pick<PageData, 'slowest' | 'failures' | 'flaky' | 'tests' | 'leftovers'> = {
    slowest: [],
    failures: [],
    flaky: [],
    tests: [],
    leftovers: [],
  };
  readonly #more = { failures: 0, tests: 0, leftovers: 0 };

  add(result: ReportedResult): void {
    const script = this.#scripts.name.length;
    this.#scripts.name.push(this.#string(displayName(result.script)));
    this.#scripts.attempts.push(result.attempts ?? 1);
    this.#counts[result.status] += 1;
    for (const [i, earlier] of (result.failedAttempts ?? []).entries()) this.#addAttempt(earlier, script, i + 1);
    this.#addAttempt(result, script, result.attempts ?? 1);
    this.#lists(result, script);
  }

  #addAttempt(run: NonNullable<ScriptResult['failedAttempts']>[number], script: number, attempt: number): void {
    const samples = thinPoints(run.memorySamples ?? [], POINTS_PER_ATTEMPT).flat();
    this.#attempts.push({
      at: Date.parse(run.startTime),
      start: 0,
      duration: Math.max(0, Math.round(run.durationMs)),
      lane: laneKey(run.worker, run.slot),
      status: Math.max(0, STATUSES.indexOf(run.status)),
      script,
      attempt,
      peakKb: run.peakTreeRssKb ?? -1,
      reason: this.#string(run.status === 'passed' ? 'passed' : reasonOf(run).slice(0, 300)),
      samples,
    });
  }

  #lists(result: ReportedResult, script: number): void {
    const d = this.#data;
    const peakKb = result.peakTreeRssKb ?? -1;
    d.slowest.push({ script, durationMs: result.durationMs, peakKb, status: result.status });
    if (d.slowest.length > LIST.slowest * 4) keepSlowest(d.slowest);
    if (result.status === 'failed' || result.status === 'timeout' || result.status === 'error') {
      if (d.failures.length < LIST.failures)
        d.failures.push({
          script,
          status: result.status,
          reason: readableBytes(reasonOf(result)),
          attempts: result.attempts ?? 1,
          durationMs: result.durationMs,
          stdout: tailChars(result.stdout),
          stderr: tailChars(result.stderr),
        });
      else this.#more.failures += 1;
    }
    if (result.flaky ?? isFlaky(result)) {
      this.#counts.flaky += 1;
      if (d.flaky.length < LIST.flaky)
        d.flaky.push({ script, attempts: result.attempts ?? 1, durationMs: result.durationMs });
    }
    for (const test of result.testCases ?? []) {
      if (test.status !== 'failed' && test.status !== 'error') continue;
      if (d.tests.length >= LIST.tests) this.#more.tests += 1;
      else
        d.tests.push({
          script,
          id: test.id,
          status: test.status,
          durationMs: test.durationMs ?? null,
          message: (test.message ?? '').slice(0, 2000),
        });
    }
    for (const { pid, command } of result.leftovers ?? []) {
      if (d.leftovers.length >= LIST.leftovers) this.#more.leftovers += 1;
      else d.leftovers.push({ script, pid, command });
    }
  }

  build(facts: RunFacts): PageData {
    const origin = this.#attempts.reduce((min, a) => Math.min(min, a.at), Infinity);
    for (const a of this.#attempts) a.start = Number.isFinite(a.at) ? Math.max(0, a.at - origin) : 0;
    const spanMs = this.#attempts.reduce((max, a) => Math.max(max, a.start + a.duration), 0);
    const lanes = laneOrder(this.#attempts.map((a) => a.lane));
    const laneIndex = new Map(lanes.map((lane, i) => [lane.key, i]));
    const order = [...this.#attempts].sort(
      (a, b) => laneIndex.get(a.lane)! - laneIndex.get(b.lane)! || a.start - b.start,
    );
    const column = <K extends keyof Attempt>(key: K): Attempt[K][] => order.map((a) => a[key]);
    const sampled = this.#attempts.filter((a) => a.samples.length > 0);
    keepSlowest(this.#data.slowest);
    const attempts = this.#attempts.length;
    return {
      version: 1,
      ergateVersion: facts.ergateVersion,
      startTime: Number.isFinite(origin) ? new Date(origin).toISOString() : facts.startTime,
      durationMs: Math.max(facts.durationMs, spanMs),
      counts: { ...this.#counts, total: facts.total, notStarted: facts.notStarted.length, attempts },
      success: this.#counts.failed + this.#counts.timeout === 0 && !facts.interrupted,
      interrupted: facts.interrupted,
      halted: facts.halted,
      jobs: facts.jobs,
      memoryBudgetMb: facts.memoryBudgetMb,
      strings: this.#strings,
      scripts: this.#scripts,
      lanes: lanes.map((lane) => lane.label),
      workers: new Set(lanes.map((lane) => lane.worker).filter((w) => w !== null)).size,
      bars: {
        start: column('start'),
        duration: column('duration'),
        lane: order.map((a) => laneIndex.get(a.lane)!),
        status: column('status'),
        script: column('script'),
        attempt: column('attempt'),
        peakKb: column('peakKb'),
        reason: column('reason'),
      },
      memory:
        sampled.length === 0
          ? null
          : stackMemory(sampled, spanMs, (script) => this.#strings[this.#scripts.name[script]]),
      ...this.#data,
      moreFailures: this.#more.failures,
      moreTests: this.#more.tests,
      moreLeftovers: this.#more.leftovers,
      notStarted: facts.notStarted.slice(0, LIST.notStarted).map((s) => displayName(s)),
      moreNotStarted: Math.max(0, facts.notStarted.length - LIST.notStarted),
    };
  }

  #string(raw: string): number {
    const text = readableBytes(raw);
    let id = this.#stringIds.get(text);
    if (id === undefined) {
      id = this.#strings.push(text) - 1;
      this.#stringIds.set(text, id);
    }
    return id;
  }
}

function laneKey(worker: string | undefined, slot: number | null | undefined): string {
  return JSON.stringify([worker ?? null, slot ?? null]);
}

function keepSlowest(list: PageData['slowest']): void {
  list.sort((a, b) => b.durationMs - a.durationMs).splice(LIST.slowest);
}
