// Decides, before a run starts, how each report path (--json, --junit, --joblog) may be
// written: a regular or not-yet-existing file in a writable folder is replaced atomically
// ('file'); a character device or FIFO (/dev/null, /dev/stdout, a named pipe) is written to
// directly ('device'). Anything else is refused with a plain reason, so the CLI exits 2
// before any script runs rather than losing a report after the whole run.
import fs from 'node:fs';
import path from 'node:path';
import { STDOUT } from './report-file.ts';
import type { ReportTargets } from './run-reports.ts';
import { UsageError } from '../settings/usage.ts';

export type ReportKind = 'file' | 'device';

export type ReportTarget = { file: string; kind: ReportKind } | { file: string; problem: string };

function isDevice(stat: fs.Stats): boolean {
  return stat.isCharacterDevice() || stat.isFIFO();
}

/** Why the report's folder cannot take a new file (temp file and rename); null when it can. */
function folderProblem(file: string): string | null {
  const dir = path.dirname(path.resolve(file));
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return `the folder ${dir} does not exist`;
  }
  if (!stat.isDirectory()) return `${dir} is not a folder`;
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    return `the folder ${dir} is not writable`;
  }
  return null;
}

/** Classifies `file` as a report target, or says why it cannot be one. Never writes anything. */
export function resolveReportTarget(file: string): ReportTarget {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      return { file, problem: `cannot use ${file}: ${(error as Error).message}` };
    const problem = folderProblem(file);
    return problem ? { file, problem } : { file, kind: 'file' };
  }
  if (stat.isSymbolicLink()) {
    // /dev/stdout is a link to /proc/self/fd/1: a link to a device or pipe is written through
    // (nothing is renamed over it); a link to anything else could redirect a write out of the folder.
    const target = statOrNull(file);
    if (target && isDevice(target)) return { file, kind: 'device' };
    return { file, problem: `${file} is a symbolic link: ergate never writes a report through one` };
  }
  if (stat.isDirectory()) return { file, problem: `${file} is a folder, not a file` };
  if (isDevice(stat)) return { file, kind: 'device' };
  if (!stat.isFile()) return { file, problem: `${file} is not a regular file, character device or FIFO` };
  const problem = folderProblem(file);
  return problem ? { file, problem } : { file, kind: 'file' };
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

/** `--json -`: the report goes to this process's stdout (and the human output to stderr). */
export const STDOUT_TARGET = STDOUT;
/** Other names of this process's stdout, taken as `-` (reopening them fails on a socket). */
const STDOUT_NAMES = new Set(['-', '/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']);

/** Whether a report path means this process's stdout. */
export function isStdout(file: string | undefined): boolean {
  return file !== undefined && STDOUT_NAMES.has(file);
}

/**
 * Where each report goes (`-` is stdout); a path that cannot take one is a UsageError naming
 * the flag, found before anything runs.
 */
export function checkReportTargets(paths: {
  json?: string;
  junit?: string;
  html?: string;
  joblog?: string;
}): ReportTargets {
  const targets: ReportTargets = {};
  if (isStdout(paths.json) && isStdout(paths.junit))
    throw new UsageError('--json - and --junit -: only one report can go to stdout');
  for (const key of ['json', 'junit', 'html', 'joblog'] as const) {
    const given = paths[key];
    if (given === undefined) continue;
    const file = isStdout(given) ? STDOUT_TARGET : given;
    const target =
      file !== STDOUT_TARGET
        ? resolveReportTarget(file)
        : key === 'joblog' || key === 'html'
          ? { file, problem: `stdout ("-") takes the --json or --junit report; give --${key} a file` }
          : { file, kind: 'device' as const };
    if ('problem' in target) throw new UsageError(`--${key}: ${target.problem}`);
    targets[key] = target;
  }
  return targets;
}
