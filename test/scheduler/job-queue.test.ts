// The scheduler's queue: pops come out ordered by key, FIFO within a key, each with its own
// time, for any mix of pushes and pops and any mix of bucketed keys (small integers) and
// keys that turn it into a heap (fractions, large numbers), and back once it is empty.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JobQueue } from '../../src/scheduler/job-queue.ts';
import { type Item, replayAgainstModel } from './queue-model.ts';

const anyKey = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(-512, 511, 512, -513, 1e9, 0.5, -2.25),
  fc.constant(null),
  fc.constant(null),
);

describe('JobQueue', () => {
  it('pops by key, then in push order, under any interleaving and mix of keys', () => {
    fc.assert(
      fc.property(fc.array(anyKey, { maxLength: 2000 }), (ops) => {
        const queue = new JobQueue<Item>();
        const reference = replayAgainstModel(queue, ops);
        expect(queue.clear()).toHaveLength(reference.length);
        expect(queue.size).toBe(0);
        expect(queue.pop()).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('keeps FIFO order within a key past a bucket compaction', () => {
    const queue = new JobQueue<number>();
    let next = 0;
    let expected = 0;
    // Pushes outpace pops, so the bucket never empties and compacts its consumed head.
    for (let round = 0; round < 20_000; round++) {
      queue.push(next, 7, next);
      next++;
      queue.push(next, 7, next);
      next++;
      expect(queue.pop()).toBe(expected);
      expect(queue.poppedTime).toBe(expected);
      expected++;
    }
    while (queue.size > 0) expect(queue.pop()).toBe(expected++);
    expect(expected).toBe(next);
  });
});
