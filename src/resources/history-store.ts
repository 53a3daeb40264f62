// Owns the run history file (.ergate/history.ndjson): one JSON record per finished script,
// appended as whole lines with O_APPEND so concurrent runs and shards can share one file.
// Invariants: a line that does not parse is skipped (one warning per load, never a crash);
// the file is compacted to the most recent records per script once it passes maxBytes.
import fs from 'node:fs';
import path from 'node:path';
import type { ScriptStatus } from '../script/types.ts';

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

const STATUSES = new Set<string>(['passed', 'failed', 'timeout', 'error', 'cancelled']);

export class HistoryStore {
  readonly path: string;
  readonly #keep: number;
  readonly #maxBytes: number;
  readonly #warn: (message: string) => void;
  readonly #scripts = new Map<string, PastRun[]>();
  #needsCompaction = false;

  constructor(file: string, options: HistoryStoreOptions = {}) {
    this.path = path.resolve(file);
    this.#keep = options.keepPerScript ?? 5;
    this.#maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
    this.#warn = options.warn ?? ((message) => process.emitWarning(message, 'ErgateHistoryWarning'));
    this.#load();
  }

  /** The script's (absolute path) most recent runs, oldest first; empty when unknown. */
  runs(script: string): readonly PastRun[] {
    return this.#scripts.get(script) ?? [];
  }

  /** Number of scripts with history. */
  get size(): number {
    return this.#scripts.size;
  }

  /** Appends one record as one line (one write) and remembers it. Never throws. */
  append(record: HistoryRecord): void {
    this.#remember(record);
    try {
      fs.mkdirSync(path.dirname(this.path), { recursive: true });
      fs.appendFileSync(this.path, JSON.stringify(toLine(record)) + '\n');
    } catch (error) {
      this.#warn(`could not write the run history ${this.path}: ${(error as Error).message}`);
    }
  }

  /** Rewrites the file with the kept records when it is too large or held corrupt lines. */
  compactIfNeeded(): void {
    let size: number;
    try {
      size = fs.statSync(this.path).size;
    } catch {
      return;
    }
    if (size <= this.#maxBytes && !this.#needsCompaction) return;
    // Re-read first: another run may have appended since this store loaded.
    this.#scripts.clear();
    this.#load(true);
    const lines: string[] = [];
    for (const [script, runs] of this.#scripts) {
      for (const run of runs) lines.push(JSON.stringify(toLine({ script, ...run })));
    }
    // The scripts seen first go first when even the kept records do not fit in half.
    let bytes = lines.reduce((sum, line) => sum + line.length + 1, 0);
    while (bytes > this.#maxBytes / 2 && lines.length > 0) bytes -= lines.shift()!.length + 1;
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temp, lines.map((line) => line + '\n').join(''));
      fs.renameSync(temp, this.path);
      this.#needsCompaction = false;
    } catch (error) {
      fs.rmSync(temp, { force: true });
      this.#warn(`could not compact the run history ${this.path}: ${(error as Error).message}`);
    }
  }

  #load(quiet = false): void {
    let text: string;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch {
      return; // no history yet
    }
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const record = parseLine(line);
      if (record) this.#remember(record);
      else bad += 1;
    }
    if (bad > 0) {
      this.#needsCompaction = true;
      if (!quiet) this.#warn(`ignored ${bad} corrupt line${bad === 1 ? '' : 's'} of the run history ${this.path}`);
    }
  }

  #remember(record: HistoryRecord): void {
    const { script, ...run } = record;
    let runs = this.#scripts.get(script);
    if (!runs) {
      runs = [];
      this.#scripts.set(script, runs);
    }
    runs.push(run);
    if (runs.length > this.#keep) runs.shift();
  }
}

function toLine(r: HistoryRecord): object {
  return { s: r.script, d: r.durationMs, m: r.peakKb, st: r.status, t: r.at };
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
  if (typeof s !== 'string' || !isCount(d) || !(m === null || isCount(m)) || typeof st !== 'string' || !STATUSES.has(st)) return null;
  return { script: s, durationMs: d, peakKb: m, status: st as ScriptStatus, at: typeof t === 'number' ? t : 0 };
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}
