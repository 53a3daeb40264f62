// The scheduler's priority queue: a binary min-heap of queued jobs ordered by key, then
// by sequence number, so equal keys leave in the order they arrived (stable FIFO).
// push and pop are O(log n). Keys and sequence numbers live in typed arrays beside the
// items so sifting compares contiguous numbers instead of chasing 100,000 objects
// (measured: pop was ~2 µs with object compares at that depth). Removal is lazy: the
// scheduler skips entries no longer pending when they surface; cancel() never searches.

export interface HeapItem {
  /** Lower runs first: the priority, or with aging the priority minus time already waited. */
  key: number;
  /** Strictly increasing per push; breaks ties so equal keys are FIFO. */
  seq: number;
}

const INITIAL_CAPACITY = 1024;

export class JobHeap<T extends HeapItem> {
  #items: (T | undefined)[] = [];
  #keys = new Float64Array(INITIAL_CAPACITY);
  #seqs = new Float64Array(INITIAL_CAPACITY);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#keys.length) this.#grow();
    const keys = this.#keys;
    const seqs = this.#seqs;
    const items = this.#items;
    const key = item.key;
    const seq = item.seq;
    let i = this.#size++;
    // Sift up: move the hole toward the root while the parent comes later.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent];
      if (pk < key || (pk === key && seqs[parent] < seq)) break;
      keys[i] = pk;
      seqs[i] = seqs[parent];
      items[i] = items[parent];
      i = parent;
    }
    keys[i] = key;
    seqs[i] = seq;
    items[i] = item;
  }

  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const keys = this.#keys;
    const seqs = this.#seqs;
    const items = this.#items;
    const top = items[0];
    const n = --this.#size;
    const key = keys[n];
    const seq = seqs[n];
    const last = items[n];
    items[n] = undefined;
    if (n === 0) return top;
    // Sift down: move the hole toward the leaves while a child comes before `last`.
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (keys[right] < keys[child] || (keys[right] === keys[child] && seqs[right] < seqs[child]))) child = right;
      const ck = keys[child];
      if (ck > key || (ck === key && seqs[child] > seq)) break;
      keys[i] = ck;
      seqs[i] = seqs[child];
      items[i] = items[child];
      i = child;
    }
    keys[i] = key;
    seqs[i] = seq;
    items[i] = last;
    return top;
  }

  /** Empties the heap and returns what was in it. */
  clear(): T[] {
    const items = this.#items.slice(0, this.#size) as T[];
    this.#items = [];
    this.#size = 0;
    return items;
  }

  #grow(): void {
    const keys = new Float64Array(this.#keys.length * 2);
    const seqs = new Float64Array(this.#seqs.length * 2);
    keys.set(this.#keys);
    seqs.set(this.#seqs);
    this.#keys = keys;
    this.#seqs = seqs;
  }
}
