// The floor for runFunction (issue 28): N bare worker_threads, each answering `{ id, x }` with
// `{ id, x: x + 1 }` (bare-echo-worker.mjs). A call is one postMessage each way and one promise
// settled by id; calls are dealt round robin and all sent at once. No timeout, no validation,
// no result object: what is left of a call when everything ergate adds is taken away.
import { Worker } from 'node:worker_threads';

const WORKER_URL = new URL('./bare-echo-worker.mjs', import.meta.url);

export class BarePostMessagePool {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, (x: number) => void>();
  #nextId = 0;

  constructor(threads: number) {
    this.#workers = Array.from({ length: threads }, () => {
      const worker = new Worker(WORKER_URL);
      worker.on('message', (reply: { id: number; x: number }) => {
        const resolve = this.#pending.get(reply.id)!;
        this.#pending.delete(reply.id);
        resolve(reply.x);
      });
      return worker;
    });
  }

  /** Resolves with x + 1, computed in a worker. */
  call(x: number): Promise<number> {
    const id = this.#nextId++;
    const worker = this.#workers[id % this.#workers.length];
    return new Promise<number>((resolve) => {
      this.#pending.set(id, resolve);
      worker.postMessage({ id, x });
    });
  }

  async destroy(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}
