// FIFO of calls waiting for a thread. A plain array's shift() copies the whole array once it
// is big (tens of thousands of queued calls), so this keeps a head index and compacts rarely.

export class CallQueue<T> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined as T; // let it be collected
    this.#head += 1;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 4_096 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Puts items back at the front, in their order (calls handed back by a dead thread). */
  unshift(...items: T[]): void {
    if (items.length === 0) return;
    if (items.length <= this.#head) {
      this.#head -= items.length;
      for (let i = 0; i < items.length; i++) this.#items[this.#head + i] = items[i]!;
      return;
    }
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
  }

  /** Removes one item wherever it is; false if it was not queued. */
  remove(item: T): boolean {
    const index = this.#items.indexOf(item, this.#head);
    if (index === -1) return false;
    this.#items.splice(index, 1);
    return true;
  }

  /** Empties the queue, returning what was in it. */
  takeAll(): T[] {
    const items = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return items;
  }
}
