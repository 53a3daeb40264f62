// The run manifest is built one script at a time and leaves the coordinator in chunks of
// 2,000 entries, in the order jobs are added; the coordinator keeps only each script's
// template index. A script that cannot be sent carries why in its entry.
import path from 'node:path';
import { expect, it } from 'vitest';
import { Plan } from '../../src/parallel/build-plan.ts';
import { ManifestBuilder, type ManifestEntry } from '../../src/distributed/run-manifest.ts';
import { PYTHON, SCRIPTS } from './cluster.ts';

it('writes entries in add order, 2,000 a chunk, one template for scripts with the same options', () => {
  const outside = path.join(SCRIPTS, '..', 'outside.py');
  const scripts = [...Array.from({ length: 4_499 }, () => path.join(SCRIPTS, 'passes.py')), outside];
  const plan = new Plan(scripts, { timeoutMs: 5_000, retries: 1 }, PYTHON);
  const order = scripts.map((_, index) => scripts.length - 1 - index);
  let resolved = 0;
  const source = {
    size: plan.size,
    order,
    resolve: (index: number) => {
      resolved += 1;
      return plan.resolve(index);
    },
  };
  const builder = new ManifestBuilder('run-1', SCRIPTS, { inheritEnv: true, envAllowList: [] }, plan.size);
  const chunks: ManifestEntry[][] = [];
  for (const chunk of builder.chunks(source)) {
    // Lazily: no script is resolved before the chunk before it has been taken.
    expect(resolved).toBe(chunks.length * 2_000 + chunk.length);
    chunks.push(chunk);
  }
  expect(chunks.map((c) => c.length)).toEqual([2_000, 2_000, 500]);
  const entries = chunks.flat();
  expect(entries.map(([index]) => index)).toEqual(order);
  expect(entries[0]).toEqual([4_499, outside, expect.stringMatching(/outside the shared root/)]);
  expect(entries[1]).toEqual([4_498, 'passes.py', 0]);
  expect(builder.templates).toHaveLength(1);
  expect(builder.templates[0]).toMatchObject({ timeoutMs: 5_000, retries: 1 });
  expect(builder.templateOf[4_499]).toBe(-1);
  expect(builder.templateOf.slice(0, 4_499).every((t) => t === 0)).toBe(true);
  expect(builder.header(chunks.length)).toMatchObject({ runId: 'run-1', size: 4_500, chunks: 3 });
});
