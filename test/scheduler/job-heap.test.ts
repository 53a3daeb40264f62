// The priority queue: pops come out ordered by key, FIFO within a key, for any mix of
// pushes and pops (property-based, against a sorted reference), each with its own time.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JobHeap } from '../../src/scheduler/job-heap.ts';

interface Item {
  key: number;
  seq: number;
  id: number;
}

describe('JobHeap', () => {
  it('pops by key, then in push order, under any interleaving', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(null)), { maxLength: 3000 }),
        (ops) => {
          const heap = new JobHeap<Item>();
          const reference: Item[] = [];
          let seq = 0;
          for (const op of ops) {
            if (op === null) {
              reference.sort((a, b) => a.key - b.key || a.seq - b.seq);
              const expected = reference.shift();
              expect(heap.pop()).toBe(expected);
              // The time pushed with an item comes back with it.
              if (expected !== undefined) expect(heap.poppedTime).toBe(expected.id);
            } else {
              const item = { key: op, seq: seq++, id: seq };
              heap.push(item, item.key, item.seq, item.id);
              reference.push(item);
            }
            expect(heap.size).toBe(reference.length);
          }
          reference.sort((a, b) => a.key - b.key || a.seq - b.seq);
          for (const expected of reference) expect(heap.pop()).toBe(expected);
          expect(heap.pop()).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('grows past its initial capacity', () => {
    const heap = new JobHeap<Item>();
    for (let i = 0; i < 5000; i++) heap.push({ key: (i * 7919) % 13, seq: i, id: i }, (i * 7919) % 13, i, i / 2);
    let last = { key: -Infinity, seq: -1 };
    for (let i = 0; i < 5000; i++) {
      const item = heap.pop()!;
      expect(heap.poppedTime).toBe(item.id / 2);
      expect(item.key > last.key || (item.key === last.key && item.seq > last.seq)).toBe(true);
      last = item;
    }
    expect(heap.size).toBe(0);
  });
});
