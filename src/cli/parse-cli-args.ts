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
  /** issue 7: 'forkserver' forks each script from a warm interpreter */
  startMethod?: 'spawn' | 'forkserver';
  /** issue 7: modules the fork servers import before forking */
  preload?: string[];
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
  'start-method': { type: 'string' },
  // Repeatable and comma-separated: --preload numpy,pandas --preload mypkg
  preload: { type: 'string', multiple: true },
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
    ...parseStartMethod(values['start-method'], values.preload),
  };
}

const MODULE_NAME = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

function parseStartMethod(method: string | undefined, preload: string[] | undefined): Pick<CliOptions, 'startMethod' | 'preload'> {
  if (method !== undefined && method !== 'spawn' && method !== 'forkserver') {
    throw new UsageError(`--start-method: expected spawn or forkserver, got "${method}"`);
  }
  if (preload === undefined) return method === undefined ? {} : { startMethod: method };
  const modules = preload.flatMap((text) => text.split(',')).map((name) => name.trim()).filter((name) => name !== '');
  const bad = modules.find((name) => !MODULE_NAME.test(name));
  if (bad !== undefined || modules.length === 0) {
    throw new UsageError(`--preload: expected comma-separated module names such as numpy,mypkg.sub, got "${bad ?? preload.join(',')}"`);
  }
  // Refused rather than ignored: only a fork server imports anything before the script.
  if (method !== 'forkserver') throw new UsageError('--preload needs --start-method forkserver');
  return { startMethod: method, preload: modules };
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
