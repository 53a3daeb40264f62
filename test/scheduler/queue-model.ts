// The reference model both scheduler queues (JobHeap, JobQueue) are checked against: a list
// sorted by key, then push order. Replays pushes (a key) and pops (null) on a queue and the
// model side by side, checking every pop, its time and the size after each step.
import { expect } from 'vitest';

export interface Item {
  key: number;
  seq: number;
}

/** The queue operations the model drives; `time` must come back as `poppedTime`. */
export interface QueueUnderTest {
  push(item: Item, key: number, time: number): void;
  pop(): Item | undefined;
  readonly poppedTime: number;
  readonly size: number;
}

const byKeyThenSeq = (a: Item, b: Item): number => a.key - b.key || a.seq - b.seq;

/** Replays `ops` on `queue` and the model; returns what the model still holds, in pop order. */
export function replayAgainstModel(queue: QueueUnderTest, ops: Array<number | null>): Item[] {
  const model: Item[] = [];
  let seq = 0;
  for (const op of ops) {
    if (op === null) {
      model.sort(byKeyThenSeq);
      const expected = model.shift();
      expect(queue.pop()).toBe(expected);
      if (expected !== undefined) expect(queue.poppedTime).toBe(expected.seq * 10);
    } else {
      const item = { key: op, seq: seq++ };
      queue.push(item, item.key, item.seq * 10);
      model.push(item);
    }
    expect(queue.size).toBe(model.length);
  }
  return model.sort(byKeyThenSeq);
}
