// Owns the `backend` option of the runners and the scheduler, and a remote job's own options
// (valibot), below both the runners and src/distributed: the runners check them at the
// boundary without loading BullMQ or anything of src/distributed. A bad value is a TypeError
// naming the option; the Redis URL (or cluster nodes) is checked by resolveTarget, which never echoes it.
import path from 'node:path';
import * as v from 'valibot';
import { expected, nonNegativeInt, parseOrThrow, positiveInt } from '../internal/option-schemas.ts';
import { resolveTarget } from './redis-target.ts';

// BullMQ refuses ':' in names it builds keys from.
export const queueName = v.pipe(
  v.string(expected('a queue name')),
  v.regex(/^[\w.-]+$/, expected('a queue name of letters, digits, "_", "-" or "."')),
);
export const nonEmpty = v.pipe(v.string(expected('a string')), v.minLength(1, expected('a non-empty string')));
// The URL is opaque here (it may hold a password): its form is checked without echoing it.
export const redisUrl = v.string((issue) => `expected a redis:// URL, got ${typeof issue.input}`);
// A Redis Cluster's nodes: "host:port,host:port" or ["host:port", ...] (each checked by resolveTarget).
export const clusterNodes = v.union(
  [v.string(), v.array(v.string())],
  expected('HOST:PORT[,HOST:PORT...] or an array of HOST:PORT strings'),
);

export const backendSchema = v.strictObject(
  {
    redis: v.optional(redisUrl),
    /** a Redis Cluster's nodes, instead of `redis` */
    redisCluster: v.optional(clusterNodes),
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

/**
 * Checks a runner's `backend` option now (a TypeError naming it), without loading BullMQ:
 * the Redis URL's or cluster nodes' form included, never echoing it.
 */
export function checkBackendOptions(input: unknown, name: string): BackendOptions {
  const options = parseOrThrow(backendSchema, input, name);
  resolveTarget(options, name);
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
