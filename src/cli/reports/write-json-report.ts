// Writes the --json report as results arrive: `startTime`, then each started script's full
// ScriptResult (in the order they finished) with `flaky` (passed only on a retry), then at
// the end `notStarted`, the counters (as ExecutionResult.toJSON()), `flaky` (how many),
// `interrupted` and `halted` (the stopping rule's reason, else null). One JSON.stringify per result, never one for
// the whole report, so no size of run meets V8's string limit. An interrupted run is never
// `"success": true`. Goes through ReportFile: a reader never sees half a report.
import type { ExecutionCounts } from '../../seam/execution-result.ts';
import type { ScriptResult } from '../../script/types.ts';
import type { ReportFile } from './report-file.ts';
import { isFlaky, type RunOutcome } from './run-report.ts';

/** The --json report as a reader parses it back (`ergate report`). */
export interface JsonReport extends ExecutionCounts {
  startTime: string;
  results: (ScriptResult & { flaky?: boolean })[];
  notStarted: string[];
  flaky: number;
  interrupted: boolean;
  halted: string | null;
  jobs?: number;
  memoryBudgetMb?: number | null;
}

export class JsonReportWriter {
  readonly #report: ReportFile;
  #first = true;

  constructor(report: ReportFile, startTime: string) {
    this.#report = report;
    report.write(`{\n  "startTime": ${JSON.stringify(startTime)},\n  "results": [`);
  }

  add(result: ScriptResult): void {
    const element = JSON.stringify({ ...result, flaky: isFlaky(result) }, null, 2).replace(/\n/g, '\n    ');
    this.#report.write(`${this.#first ? '\n    ' : ',\n    '}${element}`);
    this.#first = false;
  }

  finish(outcome: RunOutcome): Promise<void> {
    const rest = {
      notStarted: outcome.notStarted.map((s) => s.script),
      ...outcome.counts,
      success: outcome.counts.success && !outcome.interrupted,
      flaky: outcome.flaky,
      interrupted: outcome.interrupted,
      halted: outcome.halted,
      ...(outcome.jobs !== undefined && { jobs: outcome.jobs }),
      ...(outcome.memoryBudgetMb !== undefined && { memoryBudgetMb: outcome.memoryBudgetMb }),
    };
    // `{\n  "notStarted": ...}` minus its opening brace continues the object begun above.
    this.#report.write(`${this.#first ? '' : '\n  '}],\n${JSON.stringify(rest, null, 2).slice(2)}\n`);
    return this.#report.commit();
  }
}
