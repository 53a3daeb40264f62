// The CLI's view of a run, shared by every reporter. RunSummary keeps, as results stream in,
// only what the end of the run needs: the counters, which scripts started, the scripts that
// did not pass (reason and stderr tail, never their whole output) and the slowest few, so a
// run of any size ends in bounded memory. Also the plain-language helpers reporters share.
import path from 'node:path';
import { RunTally, type ExecutionCounts } from '../parallel/execution-result.ts';
import type { ScriptResult } from '../script/types.ts';

/** What formatSummary prints from: `results` holds the failures and the slowest scripts. */
export interface RunReport {
  results: ScriptResult[];
  counts: ExecutionCounts;
  /** true when SIGINT or SIGTERM ended the run early */
  interrupted: boolean;
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
}

const SLOWEST = 5;
const TAIL_CHARS = 4096;

export class RunSummary {
  readonly #tally = new RunTally();
  readonly #started = new Set<string>();
  readonly #failures: ScriptResult[] = [];
  #slowest: ScriptResult[] = [];

  add(result: ScriptResult): void {
    this.#tally.add(result.status);
    this.#started.add(result.script);
    const slim = { ...result, stdout: '', stderr: tail(result.stderr.slice(-64 * TAIL_CHARS)).slice(-TAIL_CHARS) };
    if (result.status === 'failed' || result.status === 'timeout' || result.status === 'error') this.#failures.push(slim);
    if (this.#slowest.length < SLOWEST || result.durationMs > this.#slowest[SLOWEST - 1].durationMs) {
      this.#slowest = [...this.#slowest, slim].sort((a, b) => b.durationMs - a.durationMs).slice(0, SLOWEST);
    }
  }

  outcome(scripts: string[], durationMs: number, interrupted: boolean): RunOutcome {
    const notStarted = scripts
      .filter((s) => !this.#started.has(s))
      .map((script) => ({ script, name: path.basename(script), subdirectory: path.basename(path.dirname(script)) }));
    return { counts: this.#tally.counts(scripts.length, durationMs), interrupted, notStarted };
  }

  /** The failures and the slowest scripts (together they give formatSummary all it prints). */
  report(outcome: RunOutcome): RunReport {
    const results = [...new Set([...this.#failures, ...this.#slowest])];
    return { results, counts: outcome.counts, interrupted: outcome.interrupted };
  }
}

/** The last `lines` lines of a stream, for failure reports. */
export function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** Why a script did not pass, in one line. */
export function reasonOf(result: ScriptResult): string {
  if (result.error) return result.error;
  if (result.exitCode !== null) return `exit code ${result.exitCode}`;
  return result.status;
}
