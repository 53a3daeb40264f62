// Turns argv into validated CLI options. Every bad flag becomes a UsageError naming the flag
// and what was expected; nothing runs before that. Flags the config file can also set stay
// undefined when not given, so resolve-settings.ts can tell "not given" from a default.
import { suggestion } from '../../internal/did-you-mean.ts';
import { HARNESS_FLAGS, parseHarnessFlags, type HarnessCliOptions } from './harness-flags.ts';
import { parseHalt, type HaltRule } from '../control/halt-rule.ts';
import { parseFlags } from './parse-flags.ts';
import { parseResourceFlags, RESOURCE_FLAGS, type ResourceCliOptions } from './resource-flags.ts';
import { badSetting, readCount, readCpuTimeS, readJobs, readMemoryMb, readTimeout } from './setting-values.ts';
import { parseShard, type Shard } from '../selection/shard.ts';
import { UsageError } from './usage.ts';
import { parseClusterNodes } from '../../seam/cluster-target.ts';

export interface CliOptions extends Partial<ResourceCliOptions>, Partial<HarnessCliOptions> {
  command: 'run' | 'help' | 'version';
  /** none: the config file's `paths`, else the working folder */
  paths: string[];
  /** the arguments after `--`, given to every script */
  scriptArgs: string[];
  jobs?: number;
  /** Infinity for --timeout none */
  timeoutMs?: number;
  memoryMb?: number;
  cpuTimeS?: number;
  /** --fail-fast, --maxfail or --halt */
  halt?: HaltRule;
  retries?: number;
  python?: string;
  pattern?: string;
  exclude: string[];
  list: boolean;
  shard?: Shard;
  /** --config FILE; else ergate.config.json or pyproject.toml [tool.ergate] in cwd */
  config?: string;
  /** --show-output / --tag: live output lines prefixed with the script's name */
  showOutput: boolean;
  json?: string;
  junit?: string;
  /** --html FILE: the self-contained HTML report */
  html?: string;
  /** a passing script that left processes running is 'failed'; undefined: not given */
  failOnLeftovers?: boolean;
  joblog?: string;
  resumeFailed: boolean;
  quiet: boolean;
  progress: boolean;
  redis?: string;
  /** --redis-cluster HOST:PORT[,...]: a Redis Cluster's nodes, instead of --redis */
  redisCluster?: string;
  queue?: string;
  root?: string;
  /** with --redis: how long the run goes on without Redis before it ends with an error */
  redisTimeoutMs?: number;
  startMethod?: 'spawn' | 'forkserver';
  preload?: string[];
  /** --preload auto: the fork servers' modules are learned from earlier runs (preload-auto.ts) */
  preloadAuto?: boolean;
  /** --pytest: each test file runs as `python -m pytest` (also `pytest = true` in the config) */
  pytest?: boolean;
}

export const COMMANDS = ['run', 'worker', 'help'] as const;

const OPTIONS = {
  jobs: { type: 'string', short: 'j' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  'cpu-time': { type: 'string' },
  'fail-fast': { type: 'boolean', short: 'x' },
  maxfail: { type: 'string' },
  halt: { type: 'string' },
  retries: { type: 'string' },
  python: { type: 'string' },
  pattern: { type: 'string' },
  exclude: { type: 'string', multiple: true },
  list: { type: 'boolean' },
  shard: { type: 'string' },
  config: { type: 'string' },
  'show-output': { type: 'boolean' },
  tag: { type: 'boolean' },
  json: { type: 'string' },
  junit: { type: 'string' },
  html: { type: 'string' },
  'fail-on-leftovers': { type: 'boolean' },
  joblog: { type: 'string' },
  'resume-failed': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  redis: { type: 'string' },
  'redis-cluster': { type: 'string' },
  queue: { type: 'string' },
  root: { type: 'string' },
  'redis-timeout': { type: 'string' },
  'start-method': { type: 'string' },
  // Repeatable and comma-separated: --preload numpy,pandas --preload mypkg
  preload: { type: 'string', multiple: true },
  pytest: { type: 'boolean' },
  ...RESOURCE_FLAGS,
  ...HARNESS_FLAGS,
} as const;

export function parseCliArgs(argv: string[]): CliOptions {
  // Everything after the first `--` belongs to the scripts.
  const dash = argv.indexOf('--');
  const { values, positionals } = parseFlags(dash === -1 ? argv : argv.slice(0, dash), OPTIONS, true);
  const base = {
    paths: positionals.slice(1),
    scriptArgs: dash === -1 ? [] : argv.slice(dash + 1),
    resumeFailed: values['resume-failed'] ?? false,
    quiet: values.quiet ?? false,
    progress: !(values['no-progress'] ?? false),
    exclude: values.exclude ?? [],
    list: (values.list ?? false) || (values['dry-run'] ?? false),
    showOutput: (values['show-output'] ?? false) || (values.tag ?? false),
  };
  if (values.help || positionals[0] === 'help') return { ...base, command: 'help' };
  if (values.version) return { ...base, command: 'version' };
  if (positionals.length === 0) throw new UsageError('missing command: expected "run"');
  if (positionals[0] !== 'run') {
    throw new UsageError(
      `unknown command "${positionals[0]}": expected run, worker or help${suggestion(positionals[0], COMMANDS)}`,
    );
  }
  if (base.resumeFailed && !values.joblog) throw new UsageError('--resume-failed needs --joblog FILE');
  const harness = parseHarnessFlags(values, base.quiet);
  if (values.jobs !== undefined && harness.numprocesses !== undefined)
    throw new UsageError('-j and -n both set how many scripts run at once: give one');
  if (harness.durationsFile !== undefined && values.shard === undefined)
    throw new UsageError('--durations-file balances --shard I/N: give --shard too');
  if (harness.storeDurations !== undefined && values['no-history'])
    throw new UsageError('--store-durations reads the run history: drop --no-history');
  if (harness.lastFailed && values['no-history'])
    throw new UsageError('--last-failed reads the run history: drop --no-history');
  return {
    ...base,
    ...harness,
    command: 'run',
    jobs: values.jobs === undefined ? harness.numprocesses : readJobs('--jobs', values.jobs),
    ...parseResourceFlags(values, values.timeout),
    timeoutMs:
      values.timeout === undefined || values.timeout.trim().endsWith('%')
        ? undefined
        : readTimeout('--timeout', values.timeout),
    memoryMb: values.memory === undefined ? undefined : readMemoryMb('--memory', values.memory),
    cpuTimeS: values['cpu-time'] === undefined ? undefined : readCpuTimeS('--cpu-time', values['cpu-time']),
    retries:
      values.retries === undefined
        ? undefined
        : readCount('--retries', values.retries, 0, 'the number of extra runs after a failure'),
    halt: parseHaltFlags(values['fail-fast'], values.maxfail, values.halt),
    shard: values.shard === undefined ? undefined : parseShard(values.shard),
    config: values.config,
    pattern: values.pattern,
    python: values.python,
    json: values.json,
    junit: values.junit,
    html: values.html,
    failOnLeftovers: values['fail-on-leftovers'],
    joblog: values.joblog,
    ...readRedisFlags(values.redis, values['redis-cluster']),
    queue: values.queue,
    root: values.root,
    redisTimeoutMs: values['redis-timeout'] === undefined ? undefined : readRedisTimeout(values['redis-timeout']),
    ...parsePreload(values['start-method'], values.preload),
    ...(values.pytest && { pytest: true }),
  };
}

/** --redis URL or --redis-cluster HOST:PORT[,...], never both; the nodes' form checked here (exit 2). */
export function readRedisFlags(
  redis: string | undefined,
  redisCluster: string | undefined,
): { redis?: string; redisCluster?: string } {
  if (redisCluster === undefined) return { redis };
  if (redis !== undefined)
    throw new UsageError('--redis and --redis-cluster: give one (--redis-cluster for a Redis Cluster)');
  try {
    parseClusterNodes(redisCluster, '--redis-cluster');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { redisCluster };
}

/** A run never waits for Redis forever: 'none' is refused. */
function readRedisTimeout(text: string): number {
  const ms = readTimeout('--redis-timeout', text);
  if (!Number.isFinite(ms))
    throw new UsageError(
      '--redis-timeout: expected a duration such as 60s or 5m (a run never waits for Redis forever)',
    );
  return ms;
}

/** --fail-fast, --maxfail N and --halt are three spellings of one rule: at most one is given. */
function parseHaltFlags(
  failFast: boolean | undefined,
  maxfail: string | undefined,
  halt: string | undefined,
): HaltRule | undefined {
  const given = [
    failFast ? '--fail-fast' : null,
    maxfail !== undefined ? '--maxfail' : null,
    halt !== undefined ? '--halt' : null,
  ];
  const flags = given.filter((f) => f !== null);
  if (flags.length > 1) throw new UsageError(`${flags.join(' and ')} both set a stopping rule: give one`);
  if (failFast) return { when: 'now', failCount: 1, source: '--fail-fast' };
  if (maxfail !== undefined) {
    const n = readCount('--maxfail', maxfail, 1, 'the number of failures after which the run stops');
    return { when: 'now', failCount: n, source: `--maxfail ${n}` };
  }
  return halt === undefined ? undefined : (parseHalt(halt) ?? undefined);
}

const MODULE_NAME = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

/** `ergate run`'s --start-method and --preload, which also takes `auto`; @throws UsageError */
function parsePreload(
  method: string | undefined,
  preload: string[] | undefined,
): Pick<CliOptions, 'startMethod' | 'preload' | 'preloadAuto'> {
  if (preload?.length !== 1 || preload[0].trim() !== 'auto') return parseStartMethod(method, preload);
  if (method !== 'forkserver') throw new UsageError('--preload auto needs --start-method forkserver');
  return { startMethod: method, preloadAuto: true };
}

/** --start-method and --preload (of `ergate run` and `ergate worker`); @throws UsageError */
export function parseStartMethod(
  method: string | undefined,
  preload: string[] | undefined,
): Pick<CliOptions, 'startMethod' | 'preload'> {
  if (method !== undefined && method !== 'spawn' && method !== 'forkserver') {
    throw badSetting('--start-method', 'spawn or forkserver', method);
  }
  if (preload === undefined) return method === undefined ? {} : { startMethod: method };
  const modules = preload
    .flatMap((text) => text.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const bad = modules.find((name) => !MODULE_NAME.test(name));
  if (bad !== undefined || modules.length === 0) {
    throw badSetting('--preload', 'comma-separated module names such as numpy,mypkg.sub', bad ?? preload.join(','));
  }
  // Refused rather than ignored: only a fork server imports anything before the script.
  if (method !== 'forkserver') throw new UsageError('--preload needs --start-method forkserver');
  return { startMethod: method, preload: modules };
}
