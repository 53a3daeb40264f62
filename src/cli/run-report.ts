// The CLI's view of a finished (or interrupted) run, shared by every reporter: all scripts
// that were selected, the results of those that started, and the counters. Also owns the
// plain-language helpers reporters share (the stderr tail of a failure).
import path from 'node:path';
import type { ExecutionCounts } from '../parallel/execution-result.ts';
import type { ScriptResult } from '../script/types.ts';

export interface RunReport {
  /** every selected script, absolute, in run order */
  scripts: string[];
  /** one per script that started, in run order */
  results: ScriptResult[];
  counts: ExecutionCounts;
  /** true when SIGINT or SIGTERM ended the run early */
  interrupted: boolean;
  /** why a stopping rule (--halt, --maxfail, --fail-fast) ended the run early, else null */
  halted?: string | null;
  startTime: string;
}

/** Passed, but only on a retry. */
export function isFlaky(result: Pick<ScriptResult, 'status' | 'attempts'>): boolean {
  return result.status === 'passed' && (result.attempts ?? 1) > 1;
}

/** Selected scripts that never started (fail-fast, interrupt), as skipped pseudo-entries. */
export function notStarted(report: RunReport): Array<{ script: string; name: string; subdirectory: string }> {
  const started = new Set(report.results.map((r) => r.script));
  return report.scripts
    .filter((s) => !started.has(s))
    .map((script) => ({ script, name: path.basename(script), subdirectory: path.basename(path.dirname(script)) }));
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
