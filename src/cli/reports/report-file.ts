// Owns how the CLI writes its report files, given a target checked by report-target.ts.
// A 'file' report is written as results arrive into a fresh temp file beside it (O_EXCL |
// O_NOFOLLOW, mode 0644 whatever the umask), then fsync'd and renamed into place, so a reader
// never sees half a report and a link planted at the path is replaced, never followed; a write
// that fails removes the temp file. A 'device' report (FIFO, /dev/stdout) collects in an
// anonymous temp file and is copied to the device at the end through async I/O, so a pipe
// without a reader never blocks the event loop and the device itself is never renamed over;
// the device "-" is this process's stdout (written through process.stdout, which also works
// when stdout is a socket that /dev/stdout cannot be opened on).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ReportKind } from './report-target.ts';

export const REPORT_MODE = 0o644;
/** The report file name that means this process's stdout (`--json -`). */
export const STDOUT = '-';
const { O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = fs.constants;

export function writeAll(fd: number, text: string | Buffer): void {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset);
}

function tempName(dir: string, base: string): string {
  return path.join(dir, `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** A temp file with no name (unlinked at once): nothing is left behind whatever happens. */
export class ScratchFile {
  readonly fd: number;

  constructor(dir = os.tmpdir()) {
    const file = tempName(dir, 'ergate-scratch');
    this.fd = fs.openSync(file, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    fs.unlinkSync(file);
  }

  write(text: string): void {
    writeAll(this.fd, text);
  }

  /** Feeds the whole content, in order, to `sink` (synchronously, 1 MiB at a time). */
  copyTo(sink: (chunk: Buffer) => void): void {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let position = 0; ;) {
      const n = fs.readSync(this.fd, buffer, 0, buffer.length, position);
      if (n === 0) return;
      sink(buffer.subarray(0, n));
      position += n;
    }
  }

  /** The content as a stream; closes the file when done. */
  readStream(): fs.ReadStream {
    return fs.createReadStream('', { fd: this.fd, start: 0, autoClose: true });
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** One report being written: write() as results arrive, then commit() or discard(). */
export class ReportFile {
  readonly file: string;
  readonly #kind: ReportKind;
  readonly #tmp: string | null;
  readonly #fd: number;
  readonly #scratch: ScratchFile | null;
  #open = true;

  constructor(file: string, kind: ReportKind) {
    this.file = file;
    this.#kind = kind;
    if (kind === 'device') {
      this.#scratch = new ScratchFile();
      this.#fd = this.#scratch.fd;
      this.#tmp = null;
    } else {
      this.#scratch = null;
      this.#tmp = tempName(path.dirname(file), path.basename(file));
      this.#fd = fs.openSync(this.#tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, REPORT_MODE);
      fs.fchmodSync(this.#fd, REPORT_MODE); // the umask must not make a report unreadable
    }
  }

  /** Appends to the report; on failure the temp file is removed and the error thrown. */
  write(text: string | Buffer): void {
    try {
      writeAll(this.#fd, text);
    } catch (error) {
      this.discard();
      throw error;
    }
  }

  /**
   * Puts the finished report in place (file: synchronously, so a failure throws at once) or
   * copies it to the device (the returned promise settles when the device took it all).
   */
  commit(): Promise<void> {
    if (!this.#open) throw new Error(`the report ${this.file} was discarded`);
    this.#open = false;
    if (this.#kind === 'file') {
      this.#renameIntoPlace();
      return Promise.resolve();
    }
    return this.#copyToDevice();
  }

  async #copyToDevice(): Promise<void> {
    const scratch = this.#scratch!;
    if (this.file === STDOUT) {
      for await (const chunk of scratch.readStream()) {
        if (!process.stdout.write(chunk as Buffer)) await once(process.stdout, 'drain');
      }
      return;
    }
    let device: fs.promises.FileHandle;
    try {
      // 'a': never truncates or replaces anything; opened and written off the event loop.
      device = await fs.promises.open(this.file, 'a');
    } catch (error) {
      scratch.close();
      throw error;
    }
    await pipeline(scratch.readStream(), device.createWriteStream()); // both closed when done
  }

  #renameIntoPlace(): void {
    try {
      fs.fsyncSync(this.#fd);
      fs.closeSync(this.#fd);
      fs.renameSync(this.#tmp!, this.file);
    } catch (error) {
      fs.rmSync(this.#tmp!, { force: true });
      throw error;
    }
  }

  /** Drops an unfinished report: the temp file is removed, the target left as it was. */
  discard(): void {
    if (!this.#open) return;
    this.#open = false;
    fs.closeSync(this.#fd);
    if (this.#tmp) fs.rmSync(this.#tmp, { force: true });
  }
}

/** Replaces the regular file `file` with `body` atomically (0644, never through a link). */
export function writeReportFile(file: string, body: string): void {
  const report = new ReportFile(file, 'file');
  report.write(body);
  void report.commit(); // synchronous for a 'file' report: it is in place when this returns
}

/** Opens `file` for appending (created 0644), refusing (ELOOP) if it is a symbolic link. */
export function openForAppend(file: string): { fd: number; created: boolean } {
  try {
    const fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW, REPORT_MODE);
    fs.fchmodSync(fd, REPORT_MODE);
    return { fd, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { fd: fs.openSync(file, O_WRONLY | O_APPEND | O_NOFOLLOW), created: false };
  }
}

/** Appends `text` to `file` once (see openForAppend). */
export function appendReportFile(file: string, text: string): void {
  const { fd } = openForAppend(file);
  try {
    writeAll(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}
