// Owns the readers of the run settings a flag and the config file share (jobs, timeout,
// memory, CPU time, retries): the same text means the same value in both places, and a bad
// value is a UsageError naming where it came from (a flag or a config key) and the rule.
import os from 'node:os';
import { expectedGot } from '../../internal/option-schemas.ts';
import { parseDuration } from './parse-duration.ts';
import { parseMemoryMb } from './parse-size.ts';
import { UsageError } from './usage.ts';

type Given = string | number;

/** The largest rlimit the runner takes (a C long in the child): 2^40 MiB or seconds. */
const MAX_LIMIT = 2 ** 40;

/** The UsageError of a value that is not what `where` takes: "<where>: expected <what>, got "<text>"". */
export function badSetting(where: string, what: string, value: Given): UsageError {
  return new UsageError(`${where}: ${expectedGot(what, String(value))}`);
}

/** A count such as 4, or a share of the cores such as 200% (GNU parallel's -j). */
export function readJobs(where: string, value: Given, cores = os.availableParallelism()): number {
  const text = String(value).trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const share = Number(percent[1]);
    if (share > 0) return Math.max(1, Math.floor((cores * share) / 100));
  } else if (/^\d+$/.test(text) && Number(text) >= 1 && Number.isSafeInteger(Number(text))) {
    return Number(text);
  }
  throw badSetting(where, 'an integer >= 1 or a share of the cores such as 50% or 200%', text);
}

/** A duration (30s, 500ms, 2m, bare seconds) or "none" (Infinity: never cut short). */
export function readTimeout(where: string, value: Given): number {
  const text = String(value).trim();
  if (text === 'none') return Infinity;
  const ms = parseDuration(text);
  if (ms === null) throw badSetting(where, 'a duration such as 30s, 500ms or 2m, or none', text);
  return ms;
}

/** A duration (30s, 500ms, 2m, bare seconds), in milliseconds. */
export function readDuration(where: string, value: Given): number {
  const ms = parseDuration(String(value));
  if (ms === null) throw badSetting(where, 'a duration such as 30s, 500ms or 2m', value);
  return ms;
}

/** A CPU-time limit in whole seconds (RLIMIT_CPU counts seconds). */
export function readCpuTimeS(where: string, value: Given): number {
  const ms = readDuration(where, value);
  const seconds = Math.ceil(ms / 1000);
  if (seconds > MAX_LIMIT) throw badSetting(where, `at most ${MAX_LIMIT} seconds`, value);
  return seconds;
}

/** A memory size in MiB: 512M, 2G, or a bare number of MiB. */
export function readMemoryMb(where: string, value: Given): number {
  const mib = parseMemoryMb(String(value));
  if (mib === null) throw badSetting(where, 'a size such as 512M or 2G (a bare number is MiB)', value);
  if (mib > MAX_LIMIT) throw badSetting(where, `at most ${MAX_LIMIT} MiB (1 EiB)`, value);
  return mib;
}

/** A whole number of at least `min`; `rule` says what it counts, e.g. "extra runs". */
export function readCount(where: string, value: Given, min: number, rule: string): number {
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw badSetting(where, `${rule}, an integer >= ${min}`, text);
  }
  return n;
}
