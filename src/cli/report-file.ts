// Owns how the CLI writes its report files (--json, --junit, --joblog): mode 0644 whatever the
// umask, and never through a symbolic link, so a link planted at a report path (or at the temp
// path beside it) cannot redirect ergate's write out of the report's folder. JSON and JUnit are
// written atomically: a fresh temp file (O_EXCL | O_NOFOLLOW) in the same folder, then rename,
// which replaces a link instead of following it. The joblog is appended with O_NOFOLLOW.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const REPORT_MODE = 0o644;
const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = fs.constants;

/** Why `file` must not be written, in plain words; null when it may. Checked before a run. */
export function checkReportPath(file: string): string | null {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return null; // not there yet: it will be created
  }
  if (stat.isSymbolicLink()) return `${file} is a symbolic link: ergate never writes a report through one`;
  if (stat.isDirectory()) return `${file} is a folder, not a file`;
  return null;
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset);
}

/** Replaces `file` with `body` atomically; the result is a regular 0644 file. */
export function writeReportFile(file: string, body: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, REPORT_MODE);
  try {
    fs.fchmodSync(fd, REPORT_MODE); // the umask must not make a report unreadable
    writeAll(fd, body);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

/** Appends `text` to `file` (created 0644), refusing (ELOOP) if `file` is a symbolic link. */
export function appendReportFile(file: string, text: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW, REPORT_MODE);
    fs.fchmodSync(fd, REPORT_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    fd = fs.openSync(file, O_WRONLY | O_APPEND | O_NOFOLLOW);
  }
  try {
    writeAll(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}
