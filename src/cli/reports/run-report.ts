// The CLI's view of a run, shared by every reporter. RunSummary keeps, as results stream in,
// only what the end of the run needs: the counters, which scripts never started, the scripts that
// did not pass (reason and the tails of stdout and stderr, never their whole output), the
// flaky ones (passed only on a retry) and the slowest few, so a run of any size ends in
// bounded memory. Also the plain-language helpers reporters share.
import path from 'node:path';
import { RunTally, type ExecutionCounts } from '../../seam/execution-result.ts';
import type { ScriptResult, TestCounts } from '../../script/types.ts';
import { TestTally } from './test-lines.ts';

/** What formatSummary prints from: `results` holds the failures and the slowest scripts. */
export interface RunReport {
  results: ScriptResult[];
  counts: ExecutionCounts;
  /** true when SIGINT or SIGTERM ended the run early */
  interrupted: boolean;
  /** why a stopping rule (--halt, --maxfail, --fail-fast) ended the run early, else null */
  halted: string | null;
  /** scripts that passed only on a retry */
  flaky: ScriptResult[];
  /** the run's test counts, when its files reported tests */
  tests: TestCounts | null;
}

export interface ScriptRef {
  script: string;
  name: string;
  subdirectory: string;
}

/** What the report files need once the run is over. */
export interface RunOutcome {
  counts: ExecutionCounts;
  interrupted: boolean;
  /** selected scripts that never started (fail-fast, interrupt), in run order */
  notStarted: ScriptRef[];
  /** why a stopping rule ended the run early, else null */
  halted: string | null;
  /** how many scripts passed only on a retry */
  flaky: number;
  /** the run's slots (--jobs) and memory budget in MiB (null: none), for the reports */
  jobs?: number;
  memoryBudgetMb?: number | null;
}

/** How many of the slowest scripts the summary lists by default (--durations N). */
export const SLOWEST = 5;
const TAIL_CHARS = 4096;

export class RunSummary {
  readonly #tally = new RunTally();
  readonly #tests = new TestTally();
  /** plan indices of the scripts that never started (the runner's script.skipped events) */
  readonly #skipped: number[] = [];
  readonly #failures: ScriptResult[] = [];
  readonly #flaky: ScriptResult[] = [];
  #slowest: ScriptResult[] = [];
  readonly #keepSlowest: number;

  /** @param slowest how many of the slowest scripts to keep for the summary */
  constructor(slowest = SLOWEST) {
    this.#keepSlowest = slowest;
  }

  add(result: ScriptResult): void {
    this.#tally.add(result.status);
    this.#tests.add(result);
    const slim = {
      ...result,
      // Only what the summary names: the failing tests.
      testCases: result.testCases?.filter((t) => t.status === 'failed' || t.status === 'error').slice(0, 21) ?? null,
      stdout: tailChars(result.stdout),
      stderr: tailChars(result.stderr),
      failedAttempts: slimAttempts(result),
    };
    if (result.status === 'failed' || result.status === 'timeout' || result.status === 'error')
      this.#failures.push(slim);
    if (isFlaky(result)) this.#flaky.push(slim);
    const keep = this.#keepSlowest;
    if (keep > 0 && (this.#slowest.length < keep || result.durationMs > this.#slowest[keep - 1].durationMs)) {
      this.#slowest = [...this.#slowest, slim].sort((a, b) => b.durationMs - a.durationMs).slice(0, keep);
    }
  }

  /** A script that never started (fail-fast, a halt, an interrupt), by its index in the run. */
  skipped(index: number): void {
    this.#skipped.push(index);
  }

  outcome(scripts: string[], durationMs: number, interrupted: boolean, halted: string | null = null): RunOutcome {
    const notStarted = [...this.#skipped]
      .sort((a, b) => a - b)
      .map((index) => scripts[index])
      .map((script) => ({ script, name: path.basename(script), subdirectory: path.basename(path.dirname(script)) }));
    const counts = this.#tally.counts(scripts.length, durationMs);
    return { counts, interrupted, notStarted, halted: interrupted ? null : halted, flaky: this.#flaky.length };
  }

  /** The failures and the slowest scripts (together they give formatSummary all it prints). */
  report(outcome: RunOutcome): RunReport {
    const results = [...new Set([...this.#failures, ...this.#slowest])];
    return {
      results,
      counts: outcome.counts,
      interrupted: outcome.interrupted,
      halted: outcome.halted,
      flaky: this.#flaky,
      tests: this.#tests.counts,
    };
  }
}

/** The last lines of a stream, at most TAIL_CHARS characters. */
export function tailChars(text: string): string {
  return tail(text.slice(-64 * TAIL_CHARS)).slice(-TAIL_CHARS);
}

/** Earlier attempts keep their reason; their output is in the report files, not the summary. */
function slimAttempts(result: ScriptResult): ScriptResult['failedAttempts'] {
  return result.failedAttempts?.map((a) => ({ ...a, stdout: '', stderr: '' }));
}

/** Passed, but only on a retry. */
export function isFlaky(result: Pick<ScriptResult, 'status' | 'attempts' | 'lostOn'>): boolean {
  // A run lost with a dead worker (distributed) is an attempt, not a failure.
  return result.status === 'passed' && (result.attempts ?? 1) - (result.lostOn?.length ?? 0) > 1;
}

/** The last `lines` lines of a stream, for failure reports. */
export function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** Why a script did not pass, in one line. */
export function reasonOf(result: Pick<ScriptResult, 'error' | 'exitCode' | 'status'>): string {
  if (result.error) return result.error;
  if (result.exitCode !== null) return `exit code ${result.exitCode}`;
  return result.status;
}
