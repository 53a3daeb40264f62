// Owns the joblog: one tab-separated line per finished script in GNU parallel's --joblog
// layout (Seq, Host, Starttime, JobRuntime, Send, Receive, Exitval, Signal, Command, so
// parallel's own tools read it), appended as each script finishes so an interrupted run still
// leaves every finished line behind; and reading it back for --resume-failed, in that layout
// or ergate's earlier one (name, status, exit code, duration, start, path). A regular file is
// appended synchronously (0644, never through a symbolic link); a FIFO or device through an
// async stream, so a slow or absent reader never blocks the event loop. A failed append never
// throws: the first failure is reported through `warn`, once, and `failed` says so (the run
// then exits at least 1, as for any report that could not be written). A path that is not
// UTF-8 is written as its bytes and read back in the form ergate carries it (byte-names.ts).
import fs, { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { openForAppend, writeAll } from './report-file.ts';
import type { ReportKind } from './report-target.ts';
import type { ScriptResult } from '../../script/types.ts';
import { bytesOfPath, pathFromBytes } from '../../internal/byte-names.ts';

export const JOBLOG_HEADER = [
  'Seq',
  'Host',
  'Starttime',
  'JobRuntime',
  'Send',
  'Receive',
  'Exitval',
  'Signal',
  'Command',
].join('\t');
/** ergate's layout before GNU parallel's: still read by --resume-failed. */
const ERGATE_JOBLOG_HEADER = ['name', 'status', 'exit_code', 'duration_ms', 'start_time', 'script'].join('\t');

export class JoblogWriter {
  readonly #file: string;
  readonly #warn: (message: string) => void;
  #fd: number | null = null;
  #stream: fs.WriteStream | null = null;
  #failed = false;
  #seq = 0;

  constructor(file: string, kind: ReportKind, warn: (message: string) => void) {
    this.#file = file;
    this.#warn = warn;
    if (kind === 'device') {
      this.#stream = fs.createWriteStream(file, { flags: 'a' });
      this.#stream.on('error', (error) => this.#fail(error));
      this.#write(`${JOBLOG_HEADER}\n`);
      return;
    }
    try {
      const { fd, created } = openForAppend(file);
      this.#fd = fd;
      // Appendable: the header is written once, when the file is new or empty.
      if (created || fs.fstatSync(fd).size === 0) this.#write(`${JOBLOG_HEADER}\n`);
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  /** true once a line (or the header) could not be written */
  get failed(): boolean {
    return this.#failed;
  }

  append(result: ScriptResult): void {
    this.#seq += 1;
    const signal = result.signal === null ? 0 : (constants.signals[result.signal as NodeJS.Signals] ?? 0);
    // As parallel writes them: epoch seconds, runtime "%10.3f"; -1 when there is no exit code.
    const fields = [
      String(this.#seq),
      ':',
      (Date.parse(result.startTime) / 1000).toFixed(3),
      (result.durationMs / 1000).toFixed(3).padStart(10),
      '0',
      String(Buffer.byteLength(result.stdout)),
      String(result.exitCode ?? (result.status === 'passed' ? 0 : -1)),
      String(signal),
      result.script,
    ];
    // A script path's undecodable bytes are written as those bytes, as parallel writes a command.
    this.#write(bytesOfPath(`${fields.map((f) => f.replace(/[\t\n\r]/g, ' ')).join('\t')}\n`));
  }

  /** Flushes (a device: until its reader took every line) and closes. */
  async close(): Promise<void> {
    if (this.#fd !== null) fs.closeSync(this.#fd);
    this.#fd = null;
    const stream = this.#stream;
    if (stream && !stream.destroyed) await new Promise<void>((resolve) => stream.end(resolve));
  }

  #write(text: string | Buffer): void {
    try {
      if (this.#stream) {
        if (!this.#stream.destroyed) this.#stream.write(text);
      } else if (this.#fd !== null) {
        writeAll(this.#fd, text);
      }
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  #fail(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#warn(`--joblog: could not write to ${this.#file}: ${error.message} (some of its lines may be missing)`);
  }
}

/**
 * The last recorded status of every script path in a joblog (later lines win): ergate's
 * status in its earlier layout; in parallel's, 'passed' for exit value 0 and no signal.
 */
export function readJoblog(file: string): Map<string, string> {
  const statuses = new Map<string, string>();
  if (!existsSync(file)) return statuses;
  for (const line of pathFromBytes(readFileSync(file)).split('\n')) {
    if (line === '' || line === JOBLOG_HEADER || line === ERGATE_JOBLOG_HEADER) continue;
    const fields = line.split('\t');
    if (fields.length >= 9) {
      const passed = fields[6].trim() === '0' && fields[7].trim() === '0';
      statuses.set(fields.slice(8).join('\t'), passed ? 'passed' : 'failed');
    } else if (fields.length >= 6) statuses.set(fields[5], fields[1]);
  }
  return statuses;
}

/** --resume-failed: keeps every script that did not pass in the joblog (failed, or never ran). */
export function selectNotPassed(scripts: string[], joblog: Map<string, string>): string[] {
  return scripts.filter((script) => joblog.get(script) !== 'passed');
}
