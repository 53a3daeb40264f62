// Owns ErgateWorker's options (valibot), checked once when a worker is made: a bad value is a
// TypeError naming the option. The Redis URL, queue name and folders share the backend
// option's schemas (src/seam/backend-options.ts), so both sides read them alike.
import * as v from 'valibot';
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
