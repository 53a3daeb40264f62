// Bounded capture of one output stream: keeps the first half and the last half of maxBytes
// and counts what fell in between, so a child writing gigabytes costs at most maxBytes of
// memory. Decoding to text happens once, at the end (invalid UTF-8 becomes U+FFFD).
export class OutputBuffer {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** bytes received in all */
  totalBytes = 0;

  constructor(maxBytes: number) {
    this.headLimit = Math.ceil(maxBytes / 2);
    this.tailLimit = maxBytes - this.headLimit;
  }

  get droppedBytes(): number {
    return this.totalBytes - this.headBytes - this.tailBytes;
  }

  push(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    if (this.headBytes < this.headLimit) {
      const take = Math.min(chunk.length, this.headLimit - this.headBytes);
      // Copy: a subarray would pin the whole (possibly 64 KiB) pooled chunk.
      this.head.push(Buffer.from(chunk.subarray(0, take)));
      this.headBytes += take;
      chunk = chunk.subarray(take);
      if (chunk.length === 0) return;
    }
    if (this.tailLimit === 0) return;
    if (chunk.length >= this.tailLimit) {
      this.tail = [Buffer.from(chunk.subarray(chunk.length - this.tailLimit))];
      this.tailBytes = this.tailLimit;
      return;
    }
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes - this.tail[0].length >= this.tailLimit) this.tailBytes -= this.tail.shift()!.length;
    if (this.tailBytes > this.tailLimit) {
      const excess = this.tailBytes - this.tailLimit;
      this.tail[0] = this.tail[0].subarray(excess);
      this.tailBytes -= excess;
    }
  }

  toString(): string {
    const decoder = new TextDecoder('utf-8', { fatal: false });
    if (this.droppedBytes === 0) return decoder.decode(Buffer.concat([...this.head, ...this.tail]));
    const head = decoder.decode(Buffer.concat(this.head));
    return `${head}\n[... ${this.droppedBytes} bytes dropped ...]\n${decoder.decode(Buffer.concat(this.tail))}`;
  }
}
