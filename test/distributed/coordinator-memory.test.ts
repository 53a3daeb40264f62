// The coordinator keeps nothing of a finished job: the data its jobs were added with is garbage
// once their results are in, so its memory does not grow with a run's size (issue 17, point 4).
// A queued add used to stay attached to a promise that settles only when Redis is given up,
// keeping every job's data (and the BullMQ Job objects added) for the whole run.
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect, it } from 'vitest';
import type { ScriptJobData } from '../../src/distributed/job-payload.ts';
import { RedisBackend } from '../../src/distributed/redis-backend.ts';
import { SCRIPTS, useCluster } from './cluster.ts';

const QUEUE = 'memory';
const cluster = useCluster({ queue: QUEUE, jobs: 2 });

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function jobData(index: number): ScriptJobData {
  return {
    ...{ runId: 'memory', index, script: 'passes.py', args: [], cwd: null, env: {} },
    ...{ inheritEnv: true, envAllowList: [], timeoutMs: 30_000, allowedExitCodes: [0] },
    ...{ memoryLimitMb: null, cpuTimeLimitS: null, maxOutputBytes: 1 << 20, killGraceMs: 1_000 },
  };
}

it("drops each job's data once its result is in", async () => {
  const backend = new RedisBackend({ redis: cluster.redis.url, queue: QUEUE, root: SCRIPTS });
  try {
    await backend.connect();
    const sent: Array<WeakRef<ScriptJobData>> = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, index) => {
        const data = jobData(index);
        sent.push(new WeakRef(data));
        const { added, finished } = backend.submit(`memory-${index}`, data, 0);
        await added;
        return finished;
      }),
    );
    expect(results.map((r) => (r && 'state' in r ? r.state : r))).toEqual(Array(20).fill('completed'));
    // Collected after a full GC: nothing of the coordinator still reaches any job's data.
    for (let round = 0; round < 3; round++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sent.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  } finally {
    await backend.close();
  }
});
