// Owns a worker's rules for jobs, which are untrusted input: whoever can write to the queue
// gets no more than running the repository's own scripts (and registered functions) within
// the worker's caps. Invariant: a job breaking a rule is refused before anything runs, as
// that job's 'error' naming the variable, the cap or the flag; the worker itself goes on.
import path from 'node:path';
import { isInside, realpathExact } from './contained-path.ts';
import { readableBytes } from '../internal/byte-names.ts';
import { EnvAllowList, refusedByWorker } from './env-allow-list.ts';
import { DEFAULT_PATTERN, patternMatcher, whyNotDiscovered } from '../internal/discovery-rules.ts';

export interface JobPolicy {
  /** realpath of --root */
  root: string;
  /** realpaths of the --functions folders; none: function jobs are refused */
  functions: string[];
  /** env names a job may set: the harmless defaults plus --allow-env */
  allowEnv: EnvAllowList;
  /** --pattern: a job's script must be one this worker's own discovery would select */
  pattern: string;
  matchesPattern: (relative: string) => boolean;
  maxTimeoutMs: number;
  maxOutputBytes: number;
}

export const DEFAULT_MAX_TIMEOUT_MS = 3_600_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024;
/** A job's kill grace (SIGTERM to SIGKILL) is capped too: it extends how long a child may live. */
const MAX_KILL_GRACE_MS = 60_000;
/** @throws TypeError naming the option: folders that do not exist, or functions outside the root */
export function buildPolicy(
  options: {
    root: string;
    functions?: string[];
    allowEnv?: string[];
    pattern?: string;
    maxTimeoutMs?: number;
    maxOutputBytes?: number;
  },
  what: string,
): JobPolicy {
  const real = (dir: string, option: string): string => {
    try {
      return realpathExact(path.resolve(dir));
    } catch {
      throw new TypeError(`${what}.${option}: ${readableBytes(path.resolve(dir))} does not exist`);
    }
  };
  const root = real(options.root, 'root');
  const functions = (options.functions ?? []).map((dir) => {
    const folder = real(dir, 'functions');
    if (!isInside(root, folder))
      throw new TypeError(`${what}.functions: ${folder} is outside the root ${root} (job modules are relative to it)`);
    return folder;
  });
  return {
    root,
    functions,
    allowEnv: new EnvAllowList(options.allowEnv),
    pattern: options.pattern ?? DEFAULT_PATTERN,
    matchesPattern: patternMatcher(options.pattern ?? DEFAULT_PATTERN),
    maxTimeoutMs: options.maxTimeoutMs ?? DEFAULT_MAX_TIMEOUT_MS,
    maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
  };
}

/** @throws Error when any string inside `value` holds a NUL byte (no process can receive it) */
export function checkNoNul(value: unknown, what: string): void {
  if (typeof value === 'string') {
    if (value.includes('\0')) throw new Error(`the job's ${what} contains a NUL byte`);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkNoNul(item, `${what}[${i}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      checkNoNul(key, `${what} name ${JSON.stringify(key.replace(/\0/g, '\\0'))}`);
      checkNoNul(item, `${what}.${key}`);
    }
  }
}

/** @throws Error naming the first variable the worker does not let a job set, and the flag */
export function checkJobEnv(env: Record<string, unknown>, policy: JobPolicy): void {
  const refused = policy.allowEnv.firstRefused(env);
  if (refused !== null) throw new Error(refusedByWorker(refused));
}

/** @throws Error naming the cap when the job asks for no timeout, or a longer one */
export function checkTimeout(timeoutMs: unknown, policy: JobPolicy): void {
  const cap = `this worker's --max-timeout of ${policy.maxTimeoutMs} ms`;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new Error(`refused: the job asks for no timeout; ${cap} applies to every job`);
  if (timeoutMs > policy.maxTimeoutMs)
    throw new Error(`refused: the job asks for a timeout of ${timeoutMs} ms, above ${cap}`);
}

/** @throws Error naming the cap when the job asks for more output, or a longer kill grace */
export function checkScriptLimits(data: { maxOutputBytes?: unknown; killGraceMs?: unknown }, policy: JobPolicy): void {
  const output = data.maxOutputBytes;
  if (typeof output !== 'number' || output > policy.maxOutputBytes) {
    throw new Error(
      `refused: the job asks for ${typeof output === 'number' ? `${output} bytes of output` : 'no output limit'}, above this worker's --max-output of ${policy.maxOutputBytes} bytes`,
    );
  }
  if (typeof data.killGraceMs === 'number' && data.killGraceMs > MAX_KILL_GRACE_MS) {
    throw new Error(
      `refused: the job asks for a kill grace of ${data.killGraceMs} ms, above the workers' cap of ${MAX_KILL_GRACE_MS} ms`,
    );
  }
}

/** The worker's environment as a job's base: the worker's own Redis settings never reach a job. */
export function jobBaseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !key.startsWith('ERGATE_REDIS_')) env[key] = value;
  return env;
}

/** @throws Error unless the worker's own discovery (--pattern, no hidden folder, virtualenv...) selects `real` */
export function checkDiscovered(real: string, relative: string, policy: JobPolicy): void {
  const why = whyNotDiscovered(policy.root, real, policy.matchesPattern, policy.pattern);
  if (why !== null)
    throw new Error(
      `refused: the job's script ${JSON.stringify(relative)} is not one this worker's discovery selects: ${why}`,
    );
}
