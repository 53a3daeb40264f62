// Turns argv into validated CLI options (node:util parseArgs, strict). Every bad flag
// becomes a UsageError naming the flag and what was expected; nothing runs before that.
import { parseArgs } from 'node:util';
import { parseDuration } from './parse-duration.ts';
import { UsageError } from './usage.ts';

export interface CliOptions {
  command: 'run' | 'help' | 'version';
  paths: string[];
  jobs?: number;
  timeoutMs?: number;
  memoryMb?: number;
  cpuTimeS?: number;
  failFast: boolean;
  retries: number;
  python?: string;
  pattern: string;
  json?: string;
  junit?: string;
  joblog?: string;
  resumeFailed: boolean;
  quiet: boolean;
  progress: boolean;
  /** issue 9: run on `ergate worker`s through this Redis */
  redis?: string;
  queue?: string;
  root?: string;
}

const OPTIONS = {
  jobs: { type: 'string', short: 'j' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  'cpu-time': { type: 'string' },
  'fail-fast': { type: 'boolean' },
  retries: { type: 'string' },
  python: { type: 'string' },
  pattern: { type: 'string' },
  json: { type: 'string' },
  junit: { type: 'string' },
  joblog: { type: 'string' },
  'resume-failed': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  redis: { type: 'string' },
  queue: { type: 'string' },
  root: { type: 'string' },
} as const;

export function parseCliArgs(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs' own messages already name the flag ("Unknown option '--foo'").
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const base = {
    paths: positionals.slice(1),
    failFast: values['fail-fast'] ?? false,
    resumeFailed: values['resume-failed'] ?? false,
    quiet: values.quiet ?? false,
    progress: !(values['no-progress'] ?? false),
    pattern: values.pattern ?? '**/*.py',
    retries: values.retries === undefined ? 0 : parseCount('--retries', values.retries, 0),
  };
  if (values.help) return { ...base, command: 'help' };
  if (values.version) return { ...base, command: 'version' };
  if (positionals.length === 0) throw new UsageError('missing command: expected "run"');
  if (positionals[0] !== 'run') throw new UsageError(`unknown command "${positionals[0]}": expected "run"`);
  if (base.paths.length === 0) throw new UsageError('run: expected at least one file, folder or glob');
  if (base.resumeFailed && !values.joblog) throw new UsageError('--resume-failed needs --joblog FILE');
  return {
    ...base,
    command: 'run',
    jobs: values.jobs === undefined ? undefined : parseCount('--jobs', values.jobs, 1),
    timeoutMs: values.timeout === undefined ? undefined : parseTime('--timeout', values.timeout),
    memoryMb: values.memory === undefined ? undefined : parseCount('--memory', values.memory, 1),
    cpuTimeS: values['cpu-time'] === undefined ? undefined : Math.ceil(parseTime('--cpu-time', values['cpu-time']) / 1000),
    python: values.python,
    json: values.json,
    junit: values.junit,
    joblog: values.joblog,
    redis: values.redis,
    queue: values.queue,
    root: values.root,
  };
}

function parseCount(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag}: expected an integer >= ${min}, got "${text}"`);
  }
  return n;
}

function parseTime(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new UsageError(`${flag}: expected a duration such as 30s, 500ms or 2m, got "${text}"`);
  return ms;
}
