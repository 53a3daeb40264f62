// Owns the flags a pytest, pytest-xdist or GNU parallel user reaches for first, in ergate's
// meaning: --lf/--last-failed, -n N (as -j), --durations N, -k TEXT, --color, --dry-run (as
// --list), -v, --env K=V, and the duration-balanced shards' --durations-file and
// --store-durations. Each bad value is a UsageError naming the flag.
import os from 'node:os';
import { badSetting, readCount, readJobs } from './setting-values.ts';
import { UsageError } from './usage.ts';

export const HARNESS_FLAGS = {
  'last-failed': { type: 'boolean' },
  lf: { type: 'boolean' },
  numprocesses: { type: 'string', short: 'n' },
  durations: { type: 'string' },
  keyword: { type: 'string', short: 'k' },
  color: { type: 'string' },
  'dry-run': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  env: { type: 'string', multiple: true },
  'durations-file': { type: 'string' },
  'store-durations': { type: 'string' },
} as const;

export type ColorChoice = 'auto' | 'always' | 'never';

export interface HarnessCliOptions {
  /** --lf: only the scripts whose last run in the history failed (all when none did) */
  lastFailed: boolean;
  /** -n N / -n auto */
  numprocesses?: number;
  /** --durations N: how many of the slowest scripts the summary lists (default 5; 0: none) */
  slowest?: number;
  /** -k TEXT: only scripts whose path relative to the working folder contains TEXT */
  keyword?: string;
  color: ColorChoice;
  /** --dry-run */
  dryRun: boolean;
  verbose: boolean;
  /** --env K=V, repeatable: run-wide environment over the config file's */
  env?: Record<string, string>;
  durationsFile?: string;
  storeDurations?: string;
}

type HarnessValues = {
  [K in keyof typeof HARNESS_FLAGS]?: (typeof HARNESS_FLAGS)[K] extends { multiple: true }
    ? string[]
    : (typeof HARNESS_FLAGS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

export function parseHarnessFlags(values: HarnessValues, quiet: boolean): HarnessCliOptions {
  const color = values.color ?? 'auto';
  if (color !== 'auto' && color !== 'always' && color !== 'never')
    throw badSetting('--color', 'auto, always or never', color);
  const verbose = values.verbose ?? false;
  if (verbose && quiet) throw new UsageError('-q and -v ask for opposite things: give one');
  const n = values.numprocesses;
  return {
    lastFailed: (values['last-failed'] ?? false) || (values.lf ?? false),
    ...(n !== undefined && { numprocesses: n.trim() === 'auto' ? os.availableParallelism() : readJobs('-n', n) }),
    ...(values.durations !== undefined && {
      slowest: readCount('--durations', values.durations, 0, 'how many of the slowest scripts to list'),
    }),
    ...(values.keyword !== undefined && { keyword: readKeyword(values.keyword) }),
    color,
    dryRun: values['dry-run'] ?? false,
    verbose,
    ...(values.env !== undefined && { env: readEnv(values.env) }),
    ...(values['durations-file'] !== undefined && { durationsFile: values['durations-file'] }),
    ...(values['store-durations'] !== undefined && { storeDurations: values['store-durations'] }),
  };
}

function readKeyword(text: string): string {
  if (text === '') throw new UsageError('-k: expected text that script paths contain, e.g. -k orders');
  return text;
}

/** ["A=1", "B=x=y"] -> { A: "1", B: "x=y" }; later wins. */
function readEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw badSetting('--env', 'NAME=VALUE with NAME a variable name', pair);
    env[name] = pair.slice(eq + 1);
  }
  return env;
}
