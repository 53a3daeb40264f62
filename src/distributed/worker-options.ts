// Owns ErgateWorker's options: their type and their schema (valibot), checked once when a
// worker is made: a bad value is a TypeError naming the option. The Redis URL, queue name and folders share the backend
// option's schemas (src/seam/backend-options.ts), so both sides read them alike.
import * as v from 'valibot';
import type { StartMethod } from '../script/types.ts';
import { expected, positiveInt } from '../internal/option-schemas.ts';
import { ALLOW_ENV_PATTERN } from './env-allow-list.ts';
import { clusterNodes, nonEmpty, queueName, redisUrl } from '../seam/backend-options.ts';

export const workerOptionsSchema = v.looseObject(
  {
    redis: v.optional(redisUrl),
    redisCluster: v.optional(clusterNodes),
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
    pattern: v.optional(nonEmpty),
    maxTimeoutMs: v.optional(positiveInt),
    maxOutputBytes: v.optional(positiveInt),
    startMethod: v.optional(v.picklist(['spawn', 'forkserver'], expected("'spawn' or 'forkserver'"))),
    preload: v.optional(v.array(nonEmpty, expected('an array of module names'))),
    log: v.optional(v.function(expected('a function'))),
  },
  expected('an object'),
);

export interface ErgateWorkerOptions {
  /** redis:// URL. @default $ERGATE_REDIS_URL */
  redis?: string;
  /** A Redis Cluster's nodes, "host:port,host:port" or an array, instead of `redis`. */
  redisCluster?: string | string[];
  /** @default 'ergate' */
  queue?: string;
  /** Scripts run at once on this machine. @default os.availableParallelism() */
  concurrency?: number;
  /** This machine's checkout: job paths are resolved against it. @default process.cwd() */
  root?: string;
  /** @default $ERGATE_PYTHON, else python3 from PATH */
  python?: string;
  /** How long a job's lock lives without renewal; a dead worker's jobs are recovered after it. @default 30_000 */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (of dead workers). @default 30_000 */
  stalledIntervalMs?: number;
  /** Times a job may be recovered from dead workers before it is failed. @default 3 */
  maxStalledCount?: number;
  /** Folders whose modules function jobs may run (realpath inside root). @default none: function jobs are refused */
  functions?: string[];
  /**
   * Env variables a job may set besides the harmless defaults (DEFAULT_ALLOWED_ENV): a NAME,
   * or a PREFIX_* pattern; a job setting any other is refused. @default []
   */
  allowEnv?: string[];
  /**
   * What this worker's discovery selects under root (as `ergate run --pattern`; no hidden
   * folders, virtualenvs, site-packages, node_modules or __pycache__): a job's script must be
   * such a regular file. @default every .py file (`**\/*.py`)
   */
  pattern?: string;
  /** The longest timeout a job may ask for; a job asking for more is refused. @default 3_600_000 */
  maxTimeoutMs?: number;
  /** The most output per stream a job may ask for; a job asking for more is refused. @default 10 MiB */
  maxOutputBytes?: number;
  /**
   * How each script starts: a fresh interpreter ('spawn') or a fork of one warm interpreter
   * per slot ('forkserver', Python 3.8+; several times faster for short scripts). @default 'spawn'
   */
  startMethod?: StartMethod;
  /** Modules the fork servers import once before forking (startMethod 'forkserver'). @default [] */
  preload?: string[];
  /** One line per event; never receives the Redis password. @default nothing */
  log?: (line: string) => void;
}
