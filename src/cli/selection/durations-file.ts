// Owns the durations file (--durations-file, --store-durations): a small JSON object of each
// script's median duration in milliseconds, keyed by its path relative to the working folder
// with "/" separators, so it can be committed and read the same on every machine (as
// pytest-split's .test_durations). Keys are written sorted, so the file diffs cleanly.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fsPath } from '../../internal/byte-names.ts';
import { HistoryStore } from '../../resources/history-store.ts';
import { median } from '../../resources/run-estimates.ts';
import { writeReportFile } from '../reports/report-file.ts';
import { UsageError } from '../settings/usage.ts';

export type Durations = ReadonlyMap<string, number>;

/** The key of a script (absolute path) in a durations file. */
export function durationKey(script: string, cwd = process.cwd()): string {
  return path.relative(cwd, script).split(path.sep).join('/');
}

/** Reads FILE; a missing file or a bad entry is a UsageError naming the file. */
export function readDurations(file: string, flag = '--durations-file'): Map<string, number> {
  if (!existsSync(file)) throw new UsageError(`${flag}: no such file: ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${flag}: ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UsageError(`${flag}: ${file}: expected an object of script path -> milliseconds`);
  const durations = new Map<string, number>();
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new UsageError(`${flag}: ${file}: "${key}": expected milliseconds (a number >= 0)`);
    durations.set(key, value);
  }
  return durations;
}

/**
 * --store-durations: FILE's entries, updated with the median of every given script that has
 * history; entries of scripts no longer on disk are dropped. Returns how many were updated.
 */
export function storeDurations(
  file: string,
  scripts: readonly string[],
  historyFile: string,
  cwd = process.cwd(),
): number {
  const kept = existsSync(file) ? readDurations(file, '--store-durations') : new Map<string, number>();
  for (const key of kept.keys()) if (!existsSync(fsPath(path.join(cwd, key)))) kept.delete(key);
  const history = new HistoryStore(historyFile);
  let updated = 0;
  for (const script of scripts) {
    const ms = median(history.runs(script).map((run) => run.durationMs));
    if (ms === null) continue;
    kept.set(durationKey(script, cwd), Math.round(ms));
    updated += 1;
  }
  const sorted = [...kept].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  writeReportFile(file, `${JSON.stringify(Object.fromEntries(sorted), null, 2)}\n`);
  return updated;
}
