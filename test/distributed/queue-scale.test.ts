// The coordinator at queue scale on one Redis (scale-case.ts; redis-cluster.test.ts runs the
// 2,000-job case on a cluster): every job's result is exactly what its worker reported
// (issue 14, point 10), and Redis commands per job do not grow with the run's size (issue
// 17, point 2: INFO commandstats, 200 jobs against 2,000).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './cluster.ts';
import { expectEveryResult, useScaleRun } from './scale-case.ts';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
// Registered before the workers' hooks: after hooks run in reverse, so Redis stops last.
afterAll(() => redis?.stop());
const scale = useScaleRun('scale', () => ({ backend: { redis: redis.url }, ports: [redis.port] }));

it('2,000 jobs through the CLI: every result is what its worker reported; commands per job as at 200', async () => {
  const small = await scale.runFolder('small', 200);
  const large = await scale.runFolder('large', 2_000);

  expectEveryResult(large.report, 2_000, scale.workers);
  expect(small.report).toMatchObject({ total: 200, passed: 200 });

  // O(1) per job: the larger run costs no more per job than the small one (within 20%).
  expect(large.perJob).toBeLessThan(small.perJob * 1.2);
  expect(large.perJob).toBeGreaterThan(small.perJob * 0.5);
}, 600_000);
