// Owns the run history file (.ergate/history.ndjson): one JSON record per finished script,
// appended as whole lines with O_APPEND so concurrent runs and shards can share one file.
// Invariants: a line that does not parse is skipped (one warning per load, never a crash);
// the file is compacted to the most recent records per script once it passes maxBytes; in
// memory a run costs a row of typed arrays (history-slots.ts), never a record object. The
// file and the compaction's temp file are opened with O_NOFOLLOW: a symbolic link (a
// repository can ship one pointing anywhere) is refused with one warning, never written
// through; a store warns at most once about writing.
import fs from 'node:fs';
import path from 'node:path';
import type { ScriptStatus } from '../script/types.ts';
import { RunSlots, STATUS_CODE } from './history-slots.ts';

/** One finished run of one script. */
export interface HistoryRecord {
  /** absolute script path */
  script: string;
  durationMs: number;
  /** peak memory of its process tree in KiB (shared pages counted once), null if unknown */
  peakKb: number | null;
  status: ScriptStatus;
  /** ms since the epoch when it finished */
  at: number;
}

/** One remembered run (a HistoryRecord without the script). */
export type PastRun = Omit<HistoryRecord, 'script'>;

export interface HistoryStoreOptions {
  /** Runs kept per script. @default 5 */
  keepPerScript?: number;
  /** The file is compacted when it grows past this. @default 4 MiB */
  maxBytes?: number;
  /** Called once per load when unreadable lines were skipped. @default process.emitWarning */
  warn?: (message: string) => void;
}

/** The default history file, relative to the working folder. */
export const DEFAULT_HISTORY_PATH = path.join('.ergate', 'history.ndjson');

const { O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY } = fs.constants;
const HISTORY_MODE = 0o644;

/** Lines written per write() while compacting, so the rewrite never holds the whole file. */
const WRITE_BATCH = 1024;

export class HistoryStore {
  readonly path: string;
  readonly #keep: number;
  readonly #maxBytes: number;
  readonly #warn: (message: string) => void;
  readonly #runs: RunSlots;
  #needsCompaction = false;
  /** the file is a symbolic link: neither read nor written */
  #refused = false;
  #warnedWrite = false;

  constructor(file: string, options: HistoryStoreOptions = {}) {
    this.path = path.resolve(file);
    this.#keep = Math.max(1, options.keepPerScript ?? 5);
    this.#maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
    this.#warn = options.warn ?? ((message) => process.emitWarning(message, 'ErgateHistoryWarning'));
    this.#runs = new RunSlots(this.#keep);
    this.#load();
  }

  /** The script's (absolute path) most recent runs, oldest first; empty when unknown. */
  runs(script: string): readonly PastRun[] {
    return this.#runs.get(script);
  }

  /** Number of scripts with history. */
  get size(): number {
    return this.#runs.size;
  }

  /** Appends one record as one line (one write) and remembers it. Never throws. */
  append(record: HistoryRecord): void {
    this.#runs.add(record);
    if (this.#refused) return;
    try {
      fs.mkdirSync(path.dirname(this.path), { recursive: true });
      const fd = fs.openSync(this.path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, HISTORY_MODE);
      try {
        fs.writeSync(fd, toLine(record) + '\n');
      } finally {
        fs.closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') return this.#refuseLink();
      if (this.#warnedWrite) return;
      this.#warnedWrite = true;
      this.#warn(`could not write the run history ${this.path}: ${(error as Error).message}`);
    }
  }

  #refuseLink(): void {
    if (this.#refused) return;
    this.#refused = true;
    this.#warn(`the run history ${this.path} is a symbolic link: not followed, so no history is read or kept`);
  }

  /** Rewrites the file with the kept records when it is too large or held corrupt lines. */
  compactIfNeeded(): void {
    if (this.#refused) return;
    let size: number;
    try {
      size = fs.statSync(this.path).size;
    } catch {
      return;
    }
    if (size <= this.#maxBytes && !this.#needsCompaction) return;
    // Re-read first: another run may have appended since this store loaded.
    this.#runs.clear();
    this.#load(true);
    // The scripts seen first go first when even the kept records do not fit in half.
    const scripts = [...this.#runs.scripts()];
    const bytes = scripts.map((script) =>
      this.#linesOf(script).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0),
    );
    let total = bytes.reduce((sum, n) => sum + n, 0);
    let first = 0;
    while (total > this.#maxBytes / 2 && first < scripts.length) total -= bytes[first++];
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      // A stale temp (a crashed run's) is removed, never followed: unlink takes a link itself.
      fs.rmSync(temp, { force: true });
      const fd = fs.openSync(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, HISTORY_MODE);
      try {
        for (let i = first; i < scripts.length; i += WRITE_BATCH) {
          const batch = scripts.slice(i, i + WRITE_BATCH).flatMap((script) => this.#linesOf(script));
          fs.writeSync(fd, batch.map((line) => line + '\n').join(''));
        }
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, this.path);
      this.#needsCompaction = false;
    } catch (error) {
      fs.rmSync(temp, { force: true });
      this.#warn(`could not compact the run history ${this.path}: ${(error as Error).message}`);
    }
  }

  #linesOf(script: string): string[] {
    return this.#runs.get(script).map((run) => toLine({ script, ...run }));
  }

  #load(quiet = false): void {
    let text: string;
    try {
      if (fs.lstatSync(this.path).isSymbolicLink()) return this.#refuseLink();
      text = fs.readFileSync(this.path, 'utf8');
    } catch {
      return; // no history yet
    }
    let bad = 0;
    // Line by line without split(): a large file never becomes an array of every line.
    for (let start = 0; start < text.length;) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (end > start) {
        const record = parseLine(text.slice(start, end));
        if (record) this.#runs.add(record);
        else bad += 1;
      }
      start = end + 1;
    }
    if (bad > 0) {
      this.#needsCompaction = true;
      if (!quiet) this.#warn(`ignored ${bad} corrupt line${bad === 1 ? '' : 's'} of the run history ${this.path}`);
    }
  }
}

function toLine(r: HistoryRecord): string {
  return JSON.stringify({ s: r.script, d: r.durationMs, m: r.peakKb, st: r.status, t: r.at });
}

function parseLine(line: string): HistoryRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { s, d, m, st, t } = raw as Record<string, unknown>;
  if (
    typeof s !== 'string' ||
    !isCount(d) ||
    !(m === null || isCount(m)) ||
    typeof st !== 'string' ||
    !STATUS_CODE.has(st)
  )
    return null;
  return { script: s, durationMs: d, peakKb: m, status: st as ScriptStatus, at: typeof t === 'number' ? t : 0 };
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}
