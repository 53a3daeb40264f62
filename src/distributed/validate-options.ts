// Validates the distributed options at the boundary (valibot): the `backend` option of the
// runners and the scheduler, a remote job's own options, and ErgateWorker's options. Light:
// callers import it statically, BullMQ stays unloaded. A bad value throws a TypeError naming the option and
// what was expected; the Redis URL itself is checked by resolveRedisTarget, which never
// echoes it (it may hold a password).
import path from 'node:path';
import * as v from 'valibot';
import { expected, nonNegativeInt, positiveInt } from '../internal/option-schemas.ts';
import { ALLOW_ENV_PATTERN } from './env-allow-list.ts';
import { resolveRedisTarget } from './redis-target.ts';

// BullMQ refuses ':' in names it builds keys from.
const queueName = v.pipe(
  v.string(expected('a queue name')),
  v.regex(/^[\w.-]+$/, expected('a queue name of letters, digits, "_", "-" or "."')),
);
const nonEmpty = v.pipe(v.string(expected('a string')), v.minLength(1, expected('a non-empty string')));
// The URL is opaque here (it may hold a password): its form is checked without echoing it.
const redisUrl = v.string((issue) => `expected a redis:// URL, got ${typeof issue.input}`);

export const backendSchema = v.looseObject(
  {
    redis: v.optional(redisUrl),
    queue: v.optional(queueName),
    /** shared root that script paths are sent relative to */
    root: v.optional(nonEmpty),
    /** re-use a run id (e.g. one printed earlier); default a fresh one */
    runId: v.optional(queueName),
    /** BullMQ priority of this run's jobs: 1 is the highest */
    priority: v.optional(positiveInt),
    /** ms before the first retry, doubling each time (BullMQ exponential backoff) */
    backoffMs: v.optional(nonNegativeInt),
    /** ms before the run's jobs become available to workers */
    delayMs: v.optional(nonNegativeInt),
    /** how long finished jobs stay in Redis for re-attaching. @default 86_400 s */
    keepResultsS: v.optional(positiveInt),
    /** jobs of a run in the queue at once; more are added as results come back. @default 1_000 */
    window: v.optional(positiveInt),
    /** how long the coordinator goes on without Redis before the run ends with an error. @default 60_000 */
    redisTimeoutMs: v.optional(positiveInt),
    /** one line per connection event (lost, back); never receives the password. @default stderr */
    log: v.optional(v.function(expected('a function'))),
  },
  expected('an object such as { redis: "redis://host:6379" }'),
);
export type BackendOptions = v.InferOutput<typeof backendSchema>;

export const workerOptionsSchema = v.looseObject(
  {
    redis: v.optional(redisUrl),
    queue: v.optional(queueName),
    concurrency: v.optional(positiveInt),
    root: v.optional(nonEmpty),
    python: v.optional(nonEmpty),
    lockDurationMs: v.optional(positiveInt),
    stalledIntervalMs: v.optional(positiveInt),
    maxStalledCount: v.optional(positiveInt),
    functions: v.optional(v.array(nonEmpty, expected('an array of folders'))),
    allowEnv: v.optional(
      v.array(
        v.pipe(
          v.string(expected('a variable name or a PREFIX_* pattern')),
          v.regex(ALLOW_ENV_PATTERN, expected('a variable name or a PREFIX_* pattern')),
        ),
        expected('an array of variable names'),
      ),
    ),
    maxTimeoutMs: v.optional(positiveInt),
    maxOutputBytes: v.optional(positiveInt),
    startMethod: v.optional(v.picklist(['spawn', 'forkserver'], expected("'spawn' or 'forkserver'"))),
    preload: v.optional(v.array(nonEmpty, expected('an array of module names'))),
    log: v.optional(v.function(expected('a function'))),
  },
  expected('an object'),
);

/** Parses `input` or throws a TypeError such as "backend.queue: expected a queue name ...". */
export function parseOrThrow<S extends v.GenericSchema>(schema: S, input: unknown, name: string): v.InferOutput<S> {
  const parsed = v.safeParse(schema, input ?? {});
  if (parsed.success) return parsed.output;
  const issue = parsed.issues[0];
  const dotPath = v.getDotPath(issue);
  throw new TypeError(`${name}${dotPath ? `.${dotPath}` : ''}: ${issue.message}`);
}

/**
 * Checks a runner's `backend` option now (a TypeError naming it), without loading BullMQ:
 * the Redis URL's form included, never echoing it.
 */
export function checkBackendOptions(input: unknown, name: string): BackendOptions {
  const options = parseOrThrow(backendSchema, input, name);
  resolveRedisTarget(options.redis, `${name}.redis`);
  return options;
}

/** The shared root a backend's paths are sent relative to (its `root`, else the current folder). */
export function backendRoot(options: BackendOptions): string {
  return path.resolve(options.root ?? process.cwd());
}

/** How a single remote job is queued; the scheduler's conventions. */
export interface RemoteJobOptions {
  /** Lower runs first; an integer within ±1,000,000 (BullMQ priorities are integers). @default 0 */
  priority?: number;
  /** Runs in all (BullMQ attempts): a failed or timed-out run is run again. @default 1 */
  maxRuns?: number;
  /** Wait before retry k: retryDelayMs * 2^(k-1) (BullMQ exponential backoff). @default 0 */
  retryDelayMs?: number;
  /** The job becomes available to workers after this delay (BullMQ delay). @default 0 */
  delayMs?: number;
  /** Abort removes the job if it is waiting, kills it on its worker if it is running. */
  signal?: AbortSignal;
}

export const MAX_REMOTE_PRIORITY = 1_000_000;

const priorityMessage = (issue: v.BaseIssue<unknown>): string =>
  `with a backend, ${expected(`an integer from -${MAX_REMOTE_PRIORITY} to ${MAX_REMOTE_PRIORITY} (BullMQ priorities are integers)`)(issue)}`;
const msMessage = expected('a non-negative integer of milliseconds');
const ms = v.pipe(v.number(msMessage), v.integer(msMessage), v.minValue(0, msMessage));

const remoteJobSchema = v.looseObject({
  priority: v.optional(
    v.pipe(
      v.number(priorityMessage),
      v.integer(priorityMessage),
      v.minValue(-MAX_REMOTE_PRIORITY, priorityMessage),
      v.maxValue(MAX_REMOTE_PRIORITY, priorityMessage),
    ),
  ),
  maxRuns: v.optional(positiveInt),
  retryDelayMs: v.optional(ms),
  delayMs: v.optional(ms),
});

/** @throws TypeError naming the option unless each is fit for BullMQ (priorities are integers there) */
export function checkRemoteJobOptions(job: RemoteJobOptions, what: string): void {
  parseOrThrow(remoteJobSchema, job, what);
}
