// Owns the joblog: one tab-separated line per finished script (name, status, exit code,
// duration, start, path), appended synchronously as each script finishes so an interrupted
// run still leaves every finished line behind; and reading it back for --resume-failed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { appendReportFile } from './report-file.ts';
import type { ScriptResult } from '../script/types.ts';

export const JOBLOG_HEADER = ['name', 'status', 'exit_code', 'duration_ms', 'start_time', 'script'].join('\t');

export class JoblogWriter {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
    // Appendable: the header is written once, when the file is new or empty.
    // Appended 0644 and never through a symbolic link (O_NOFOLLOW).
    if (!existsSync(file) || statSync(file).size === 0) appendReportFile(file, `${JOBLOG_HEADER}\n`);
  }

  append(result: ScriptResult): void {
    const fields = [
      result.name,
      result.status,
      result.exitCode === null ? '-' : String(result.exitCode),
      String(result.durationMs),
      result.startTime,
      result.script,
    ];
    appendReportFile(this.#file, `${fields.map((f) => f.replace(/[\t\n\r]/g, ' ')).join('\t')}\n`);
  }
}

/** The last recorded status of every script path in a joblog (later lines win). */
export function readJoblog(file: string): Map<string, string> {
  const statuses = new Map<string, string>();
  if (!existsSync(file)) return statuses;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line === JOBLOG_HEADER) continue;
    const fields = line.split('\t');
    if (fields.length >= 6) statuses.set(fields[5], fields[1]);
  }
  return statuses;
}

/** --resume-failed: keeps every script that did not pass in the joblog (failed, or never ran). */
export function selectNotPassed(scripts: string[], joblog: Map<string, string>): string[] {
  return scripts.filter((script) => joblog.get(script) !== 'passed');
}
