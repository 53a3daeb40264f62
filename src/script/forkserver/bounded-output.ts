// Collects one stream of a forked script without unbounded buffering: beyond maxBytes only
// the first and last halves are kept, joined by a marker saying how much was dropped (the same
// "[... N bytes dropped ...]" as the spawn path's OutputBuffer).
// Decoding happens once at the end so multi-byte characters split across chunks survive.

export class BoundedOutput {
  readonly #headLimit: number;
  readonly #tailLimit: number;
  #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #totalBytes = 0;

  constructor(maxBytes: number) {
    this.#headLimit = Math.ceil(maxBytes / 2);
    this.#tailLimit = Math.floor(maxBytes / 2);
  }

  get totalBytes(): number {
    return this.#totalBytes;
  }

  get truncated(): boolean {
    return this.#totalBytes > this.#headLimit + this.#tailLimit;
  }

  push(chunk: Buffer): void {
    this.#totalBytes += chunk.length;
    const headRoom = this.#headLimit - this.#headBytes;
    if (headRoom > 0) {
      const part = chunk.subarray(0, headRoom);
      this.#head.push(Buffer.from(part));
      this.#headBytes += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0 || this.#tailLimit === 0) return;
    this.#tail.push(Buffer.from(chunk.subarray(-this.#tailLimit)));
    this.#tailBytes += Math.min(chunk.length, this.#tailLimit);
    // Drop whole chunks from the front while the rest still fills the tail.
    while (this.#tailBytes - this.#tail[0]!.length >= this.#tailLimit) {
      this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  toString(): string {
    const head = Buffer.concat(this.#head).toString('utf8');
    if (!this.truncated) return head + Buffer.concat(this.#tail).toString('utf8');
    const tail = Buffer.concat(this.#tail);
    const kept = tail.subarray(tail.length - this.#tailLimit);
    const dropped = this.#totalBytes - this.#headBytes - kept.length;
    return `${head}\n[... ${dropped} bytes dropped ...]\n${kept.toString('utf8')}`;
  }
}
