// `ergate worker --redis URL|--redis-cluster NODES [--queue NAME] [-j N] [--root DIR] [--functions DIR]...`: the
// long-running process on each machine. Owns flag parsing (bad usage -> UsageError, exit 2),
// the job rules' flags (ErgateWorker enforces them) and the shutdown policy:
// the first SIGTERM/SIGINT stops taking jobs and lets running ones finish for --grace, then
// hands them back to the queue; a second signal hands them back at once. Exit 0 after
// every child is reaped.
import type { ErgateWorker, ErgateWorkerOptions } from '../distributed/worker.ts';
import { parseStartMethod, readRedisFlags } from './settings/parse-cli-args.ts';
import { parseFlags } from './settings/parse-flags.ts';
import { readCount, readDuration, readMemoryMb } from './settings/setting-values.ts';
import { UsageError, WORKER_FLAGS } from './settings/usage.ts';

export const WORKER_HELP = `Usage: ergate worker --redis URL [options]
       ergate worker --redis-cluster HOST:PORT[,HOST:PORT...] [options]

Takes script jobs from a BullMQ queue in Redis and runs them here, with every limit of
'ergate run'. Script paths in jobs are resolved against --root (this machine's checkout).

Whoever can write to the queue gets no more than running this checkout's scripts: script
paths and cwd must lie, by realpath, inside --root, and a script must be a regular file
'ergate run --pattern' would select there (never under hidden folders, virtualenvs,
site-packages, node_modules or __pycache__); function jobs run only for modules in
a --functions folder; a job setting any variable but a few harmless ones is refused unless
--allow-env names it (default deny); a job asking for more than --max-timeout or
--max-output is refused. $ERGATE_REDIS_* never reaches a job.
Give the password in $ERGATE_REDIS_PASSWORD, never on the command line.

Options:
${WORKER_FLAGS}

SIGTERM/SIGINT: stop taking jobs, finish running ones within --grace, hand the rest back.
A second signal hands running jobs back at once.`;

const OPTIONS = {
  redis: { type: 'string' },
  'redis-cluster': { type: 'string' },
  queue: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  root: { type: 'string' },
  python: { type: 'string' },
  'lock-duration': { type: 'string' },
  'stalled-interval': { type: 'string' },
  grace: { type: 'string' },
  functions: { type: 'string', multiple: true },
  'allow-env': { type: 'string', multiple: true },
  'max-timeout': { type: 'string' },
  'max-output': { type: 'string' },
  pattern: { type: 'string' },
  'start-method': { type: 'string' },
  preload: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseTime(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : readDuration(flag, text);
}

function parseBytes(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : readMemoryMb(flag, text) * 1024 * 1024;
}

/** Parses argv (after "worker"); @throws UsageError */
export function parseWorkerArgs(argv: string[]): { help: boolean; graceMs: number; options: ErgateWorkerOptions } {
  // Unknown flags are named with a "did you mean", as for `ergate run`.
  const { values } = parseFlags(argv, OPTIONS, false);
  const jobs =
    values.jobs === undefined ? undefined : readCount('--jobs', values.jobs, 1, 'the number of jobs run at once');
  if (!values.help && !values.redis && !values['redis-cluster'] && !process.env.ERGATE_REDIS_URL)
    throw new UsageError(
      'worker: --redis URL (or --redis-cluster HOST:PORT[,...]) is required (or set ERGATE_REDIS_URL)',
    );
  return {
    help: values.help ?? false,
    graceMs: parseTime('--grace', values.grace) ?? 30_000,
    options: {
      ...readRedisFlags(values.redis, values['redis-cluster']),
      queue: values.queue,
      concurrency: jobs,
      root: values.root,
      python: values.python,
      lockDurationMs: parseTime('--lock-duration', values['lock-duration']),
      stalledIntervalMs: parseTime('--stalled-interval', values['stalled-interval']),
      functions: values.functions,
      allowEnv: values['allow-env']
        ?.flatMap((list) => list.split(','))
        .map((name) => name.trim())
        .filter((name) => name !== ''),
      maxTimeoutMs: parseTime('--max-timeout', values['max-timeout']),
      maxOutputBytes: parseBytes('--max-output', values['max-output']),
      pattern: values.pattern,
      ...parseStartMethod(values['start-method'], values.preload),
    },
  };
}

/** Runs a worker until SIGTERM/SIGINT; returns the exit code. */
export async function runWorkerCommand(argv: string[]): Promise<number> {
  const { help, graceMs, options } = parseWorkerArgs(argv);
  if (help) {
    process.stdout.write(`${WORKER_HELP}\n`);
    return 0;
  }
  const log = (line: string): void => void process.stderr.write(`ergate worker: ${line}\n`);
  // Loaded only here: bullmq and ioredis cost ~0.2 s of start-up other commands skip.
  const { ErgateWorker } = await import('../distributed/worker.ts');
  let worker: ErgateWorker;
  try {
    worker = await ErgateWorker.start({ ...options, log });
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message);
    log((error as Error).message);
    return 1;
  }
  // Tests and supervisors wait for this line: the worker is connected and taking jobs.
  process.stdout.write(`ready ${worker.id}\n`);
  let stopping: Promise<void> | null = null;
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log(`${signal} again: handing running jobs back`);
        worker.handBack();
        return;
      }
      log(`${signal}: no new jobs; running ones get ${graceMs} ms`);
      stopping = worker.close({ graceMs }).finally(() => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  log('stopped');
  return 0;
}
