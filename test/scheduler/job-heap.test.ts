// The priority queue: pops come out ordered by key, FIFO within a key, for any mix of
// pushes and pops (property-based, against a sorted reference), each with its own time.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JobHeap } from '../../src/scheduler/job-heap.ts';
import { type Item, replayAgainstModel } from './queue-model.ts';

describe('JobHeap', () => {
  it('pops by key, then in push order, under any interleaving', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(null)), { maxLength: 3000 }),
        (ops) => {
          const heap = new JobHeap<Item>();
          const queue = {
            push: (item: Item, key: number, time: number) => heap.push(item, key, item.seq, time),
            pop: () => heap.pop(),
            get poppedTime() {
              return heap.poppedTime;
            },
            get size() {
              return heap.size;
            },
          };
          const reference = replayAgainstModel(queue, ops);
          for (const expected of reference) expect(heap.pop()).toBe(expected);
          expect(heap.pop()).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('grows past its initial capacity', () => {
    const heap = new JobHeap<Item>();
    for (let i = 0; i < 5000; i++) heap.push({ key: (i * 7919) % 13, seq: i }, (i * 7919) % 13, i, i / 2);
    let last = { key: -Infinity, seq: -1 };
    for (let i = 0; i < 5000; i++) {
      const item = heap.pop()!;
      expect(heap.poppedTime).toBe(item.seq / 2);
      expect(item.key > last.key || (item.key === last.key && item.seq > last.seq)).toBe(true);
      last = item;
    }
    expect(heap.size).toBe(0);
  });
});
