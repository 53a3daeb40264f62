// The scheduler's queue of jobs waiting for a slot: lowest key first, equal keys in push
// order (stable FIFO), each item carrying the time it was pushed with. Integer keys in
// [BUCKET_MIN, BUCKET_MIN + BUCKET_COUNT) - the usual priorities - go to one FIFO bucket per
// key: push and pop are O(1) and walk memory in order. The first other key (a fractional
// aged key, a large priority) moves every queued item into a JobHeap and the queue stays a
// heap until it is empty again. Removal is lazy, as for the heap.
import { JobHeap } from './job-heap.ts';

const BUCKET_MIN = -512;
const BUCKET_COUNT = 1024;
/** A bucket drops its popped head once it is this long and at least half consumed. */
const COMPACT_AT = 4096;

class Bucket<T> {
  items: (T | undefined)[] = [];
  times: number[] = [];
  head = 0;
}

export class JobQueue<T> {
  readonly #buckets: (Bucket<T> | undefined)[] = new Array<Bucket<T> | undefined>(BUCKET_COUNT).fill(undefined);
  /** No bucket below this index holds an item. */
  #lowest = BUCKET_COUNT;
  #size = 0;
  /** Non-null while the queue is a heap (from the first key no bucket takes until it empties). */
  #heap: JobHeap<T> | null = null;
  #seq = 0;
  /** The `time` pushed with the item the last pop() returned. */
  poppedTime = 0;

  get size(): number {
    return this.#heap === null ? this.#size : this.#heap.size;
  }

  push(item: T, key: number, time: number): void {
    if (this.#heap === null) {
      const index = key - BUCKET_MIN;
      if (Number.isInteger(key) && index >= 0 && index < BUCKET_COUNT) {
        const bucket = (this.#buckets[index] ??= new Bucket<T>());
        bucket.items.push(item);
        bucket.times.push(time);
        this.#size++;
        if (index < this.#lowest) this.#lowest = index;
        return;
      }
      this.#heap = this.#drainToHeap();
    }
    this.#heap.push(item, key, this.#seq++, time);
  }

  pop(): T | undefined {
    const heap = this.#heap;
    if (heap !== null) {
      const item = heap.pop();
      this.poppedTime = heap.poppedTime;
      if (heap.size === 0) this.#heap = null;
      return item;
    }
    if (this.#size === 0) return undefined;
    const buckets = this.#buckets;
    for (let index = this.#lowest; index < BUCKET_COUNT; index++) {
      const bucket = buckets[index];
      if (bucket === undefined || bucket.head === bucket.items.length) continue;
      this.#lowest = index;
      const head = bucket.head++;
      const item = bucket.items[head];
      bucket.items[head] = undefined;
      this.poppedTime = bucket.times[head];
      this.#size--;
      if (bucket.head === bucket.items.length) {
        bucket.items = [];
        bucket.times = [];
        bucket.head = 0;
      } else if (bucket.head >= COMPACT_AT && bucket.head * 2 >= bucket.items.length) {
        bucket.items = bucket.items.slice(bucket.head);
        bucket.times = bucket.times.slice(bucket.head);
        bucket.head = 0;
      }
      return item;
    }
    return undefined;
  }

  /** Empties the queue and returns what was in it. */
  clear(): T[] {
    const items = this.#heap === null ? [] : this.#heap.clear();
    this.#heap = null;
    for (const bucket of this.#buckets) {
      if (bucket === undefined) continue;
      for (let i = bucket.head; i < bucket.items.length; i++) items.push(bucket.items[i] as T);
      bucket.items = [];
      bucket.times = [];
      bucket.head = 0;
    }
    this.#size = 0;
    this.#lowest = BUCKET_COUNT;
    return items;
  }

  /** A heap holding the buckets' items in pop order (their keys are their bucket's). */
  #drainToHeap(): JobHeap<T> {
    const heap = new JobHeap<T>();
    for (let index = this.#lowest; index < BUCKET_COUNT && this.#size > 0; index++) {
      const bucket = this.#buckets[index];
      if (bucket === undefined) continue;
      for (let i = bucket.head; i < bucket.items.length; i++)
        heap.push(bucket.items[i] as T, index + BUCKET_MIN, this.#seq++, bucket.times[i]);
      this.#size -= bucket.items.length - bucket.head;
      bucket.items = [];
      bucket.times = [];
      bucket.head = 0;
    }
    this.#lowest = BUCKET_COUNT;
    return heap;
  }
}
