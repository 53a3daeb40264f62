// Samples the whole process tree of every running script on one shared timer: memory
// (PSS, so pages shared with a fork server count once) and CPU % (pidusage), summed over
// the script's child and its descendants. Invariants: at most one sampling pass runs at a
// time; the timer runs only while something is watched and never keeps the process alive.
import pidusage from 'pidusage';
import { listTreePids } from '../script/proc-tree.ts';
import { readPssKb } from './tree-memory.ts';

/** One sample of one script's process tree. */
export interface TreeSample {
  /** the script's child process */
  pid: number;
  /** resident memory of the tree in KiB, shared pages counted by their share (PSS) */
  treeRssKb: number;
  /** CPU of the tree since the previous sample, in % of one core (200 = two cores busy) */
  cpuPercent: number;
  /** processes in the tree, the child included */
  processes: number;
}

export type SampleListener = (sample: TreeSample) => void;

/** @default sampling interval of runners, in ms (0 turns sampling off) */
export const DEFAULT_SAMPLE_MS = 500;

export class TreeSampler {
  readonly intervalMs: number;
  readonly #watched = new Map<number, SampleListener>();
  #timer: NodeJS.Timeout | null = null;
  #busy = false;

  constructor(intervalMs: number = DEFAULT_SAMPLE_MS) {
    if (!(intervalMs > 0)) throw new TypeError(`sampleMs must be a positive number (got ${intervalMs})`);
    this.intervalMs = intervalMs;
  }

  /** Samples pid's tree every interval until the returned function is called. */
  watch(pid: number, listener: SampleListener): () => void {
    this.#watched.set(pid, listener);
    this.#timer ??= setInterval(() => this.#tick(), this.intervalMs).unref();
    return () => {
      if (this.#watched.get(pid) !== listener) return;
      this.#watched.delete(pid);
      if (this.#watched.size === 0) this.#stopTimer();
    };
  }

  /** Stops sampling everything. */
  close(): void {
    this.#watched.clear();
    this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #tick(): void {
    // A pass slower than the interval (a loaded machine) is not stacked on by the next one.
    if (this.#busy || this.#watched.size === 0) return;
    const trees = [...this.#watched.keys()].map((root) => ({ root, pids: listTreePids(root) })).filter((t) => t.pids.length > 0);
    const all = trees.flatMap((t) => t.pids);
    if (all.length === 0) return;
    this.#busy = true;
    // pidusage keeps one open /proc/<pid>/stat per process between passes; maxage bounds
    // how long it keeps those of processes that have exited.
    pidusage(all, { maxage: this.intervalMs * 3 }, (error, stats) => {
      this.#busy = false;
      const byPid = error ? {} : stats;
      for (const { root, pids } of trees) {
        const listener = this.#watched.get(root);
        if (!listener) continue; // finished during the pass
        let treeRssKb = 0;
        let cpuPercent = 0;
        for (const pid of pids) {
          const stat = byPid[pid] as pidusage.Status | undefined;
          treeRssKb += readPssKb(pid) ?? (stat ? Math.round(stat.memory / 1024) : 0);
          cpuPercent += stat?.cpu ?? 0;
        }
        try {
          listener({ pid: root, treeRssKb, cpuPercent: Math.round(cpuPercent * 10) / 10, processes: pids.length });
        } catch {
          // a throwing listener must not stop the other trees' samples
        }
      }
    });
  }
}
