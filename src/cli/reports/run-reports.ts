// Owns the CLI's report files for one run (--json, --junit, --joblog) from opening to commit:
// every result goes to each of them as it arrives. A report that fails (disk full, a closed
// pipe) is said once on stderr and dropped; the others, the console line and the run go on,
// and finish() tells whether every report was written (the joblog included).
import type { ScriptResult } from '../../script/types.ts';
import { JoblogWriter } from './joblog.ts';
import { ReportFile } from './report-file.ts';
import type { ReportKind } from './report-target.ts';
import type { RunOutcome } from './run-report.ts';
import { JsonReportWriter } from './write-json-report.ts';
import { JunitReportWriter } from './write-junit-report.ts';
import { HtmlReportWriter } from './write-html-report.ts';

export interface ReportTargets {
  json?: { file: string; kind: ReportKind };
  junit?: { file: string; kind: ReportKind };
  html?: { file: string; kind: ReportKind };
  joblog?: { file: string; kind: ReportKind };
}

interface Writer {
  flag: string;
  file: string;
  writer: JsonReportWriter | JunitReportWriter | HtmlReportWriter;
  report: ReportFile;
}

export class RunReports {
  readonly #warn: (message: string) => void;
  readonly #joblog: JoblogWriter | null;
  #writers: Writer[] = [];
  #failed = false;

  /** Opens every report (temp files, joblog): throws before the run if one cannot be opened. */
  constructor(targets: ReportTargets, startTime: string, warn: (message: string) => void) {
    this.#warn = warn;
    try {
      for (const [flag, target, Make] of [
        ['--json', targets.json, JsonReportWriter],
        ['--junit', targets.junit, JunitReportWriter],
        ['--html', targets.html, HtmlReportWriter],
      ] as const) {
        if (!target) continue;
        const report = new ReportFile(target.file, target.kind);
        this.#writers.push({ flag, file: target.file, report, writer: new Make(report, startTime) });
      }
    } catch (error) {
      this.discard();
      throw error;
    }
    this.#joblog = targets.joblog ? new JoblogWriter(targets.joblog.file, targets.joblog.kind, warn) : null;
  }

  /** Never throws: a report that cannot take the result is reported and dropped. */
  add(result: ScriptResult): void {
    this.#joblog?.append(result);
    for (const entry of this.#writers) this.#guard(entry, () => entry.writer.add(result));
  }

  /** Completes every report; false when one of them could not be written. */
  async finish(outcome: RunOutcome): Promise<boolean> {
    await Promise.all(
      this.#writers.map(async (entry) => {
        try {
          await entry.writer.finish(outcome);
        } catch (error) {
          this.#drop(entry, error);
        }
      }),
    );
    await this.#joblog?.close();
    return !this.#failed && this.#joblog?.failed !== true;
  }

  /** Drops every unfinished report (the targets are left as they were). */
  discard(): void {
    for (const entry of this.#writers) entry.report.discard();
    this.#writers = [];
  }

  #guard(entry: Writer, write: () => void): void {
    try {
      write();
    } catch (error) {
      this.#drop(entry, error);
    }
  }

  #drop(entry: Writer, error: unknown): void {
    this.#failed = true;
    entry.report.discard();
    this.#writers = this.#writers.filter((w) => w !== entry);
    this.#warn(`${entry.flag}: could not write ${entry.file}: ${(error as Error).message ?? String(error)}`);
  }
}
