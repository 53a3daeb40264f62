// Samples the whole process tree of every running script on one shared timer: memory
// (PSS, so pages shared with a fork server count once) and CPU %, summed over the script's
// child and its descendants, from /proc with the files kept open and PSS re-read only when
// RSS moves (proc-reader.ts); a process's first two reads are statm's resident - shared unless the
// tree is watched eagerly (a cap or budget needs exact figures); where there is no /proc,
// pidusage samples the child alone. A pass due within a quarter interval runs when the loop is
// awake anyway (a watched script starts or ends): waking an idle process costs more than a pass.
// Invariants: one pass at a time, 0.75-1 interval (plus timer lateness) after the previous one;
// the timer runs only while something is watched and never keeps the process alive.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import pidusage from 'pidusage';
import { ProcReader } from './proc-reader.ts';

/** USER_HZ: /proc counts CPU time in these (100 on every Linux architecture ergate runs on). */
const CLOCK_TICKS = 100;
const HAS_PROC = fs.existsSync('/proc/self/stat');

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

interface Watch {
  listener: SampleListener;
  /** performance.now() from which the tree is sampled */
  from: number;
  /** PSS from each process's first read (a tree under a cap or budget) */
  exact: boolean;
}

/** @default sampling interval of runners, in ms (0 turns sampling off) */
export const DEFAULT_SAMPLE_MS = 500;
/** A pass may run this early (fraction of the interval since the last one) when the loop is awake anyway: not earlier, so a 1 s script at 500 ms is still read at most twice, as statm. */
const EARLY_FRACTION = 0.75;

export class TreeSampler {
  readonly intervalMs: number;
  readonly #watched = new Map<number, Watch>();
  readonly #reader = new ProcReader();
  /** CPU ticks of every process seen in the last pass, for the next pass's CPU % */
  #ticks = new Map<number, number>();
  #nextTicks = new Map<number, number>();
  /** pids of the tree being read, reused by every pass */
  readonly #todo: number[] = [];
  #lastPass: number | null = null;
  /** the next due pass (re-armed after every pass) */
  #timer: NodeJS.Timeout | null = null;
  /** an early pass queued while the loop is awake */
  #soon: NodeJS.Immediate | null = null;
  #inPass = false;
  #busy = false;

  readonly #useProc: boolean;

  /** source: where samples come from; 'pidusage' (the child alone) is what runs without /proc. */
  constructor(intervalMs: number = DEFAULT_SAMPLE_MS, source: 'proc' | 'pidusage' = HAS_PROC ? 'proc' : 'pidusage') {
    if (!(intervalMs > 0)) throw new TypeError(`sampleMs must be a positive number (got ${intervalMs})`);
    this.intervalMs = intervalMs;
    this.#useProc = source === 'proc';
  }

  /**
   * Samples pid's tree every interval until the returned function is called. The first sample
   * comes once the tree has run a whole interval (a tree that ends sooner costs no read), or
   * at the first pass with eager (a tree under a memory cap).
   */
  watch(pid: number, listener: SampleListener, { eager = false }: { eager?: boolean } = {}): () => void {
    // 0.9: timers may fire a little early.
    const watch: Watch = { listener, from: eager ? 0 : performance.now() + 0.9 * this.intervalMs, exact: eager };
    this.#watched.set(pid, watch);
    if (this.#timer) this.#passIfDue();
    else this.#timer = setTimeout(() => this.#tick(), this.intervalMs).unref();
    return () => {
      if (this.#watched.get(pid) !== watch) return;
      this.#watched.delete(pid);
      if (this.#watched.size === 0) this.#stopTimer();
      else this.#passIfDue();
    };
  }

  /** Stops sampling everything. */
  close(): void {
    this.#watched.clear();
    this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#soon) clearImmediate(this.#soon);
    this.#timer = null;
    this.#soon = null;
    this.#reader.close();
    this.#ticks.clear();
    this.#lastPass = null;
  }

  /** The loop is awake (a script started or ended): a pass due within a quarter interval runs now. */
  #passIfDue(): void {
    if (this.#soon || this.#inPass || this.#lastPass === null) return;
    if (performance.now() - this.#lastPass < EARLY_FRACTION * this.intervalMs) return;
    // Not inside watch() or its stop function: a listener may start or stop scripts.
    this.#soon = setImmediate(() => this.#tick());
  }

  #tick(): void {
    if (this.#soon) clearImmediate(this.#soon);
    this.#soon = null;
    if (this.#watched.size === 0) return;
    this.#timer?.refresh(); // the next pass is due an interval from this one
    this.#inPass = true;
    try {
      if (this.#useProc) this.#passOverProc();
      else this.#passWithPidusage();
    } finally {
      this.#inPass = false;
    }
  }

  /** Linux: every watched tree from /proc, synchronously, with the files kept open. */
  #passOverProc(): void {
    const now = performance.now();
    const ticks = this.#nextTicks;
    const todo = this.#todo;
    for (const [root, { listener, from, exact }] of this.#watched) {
      if (now < from) continue; // young: its first sample comes at a later pass
      let treeRssKb = 0;
      let cpuMs = 0;
      let processes = 0;
      todo.push(root);
      while (todo.length > 0) {
        const pid = todo.pop()!;
        const sample = this.#reader.read(pid, todo, exact); // pushes pid's children onto todo
        if (!sample) continue;
        processes += 1;
        treeRssKb += sample.memoryKb;
        const before = this.#ticks.get(pid);
        if (before !== undefined && sample.cpuTicks >= before)
          cpuMs += ((sample.cpuTicks - before) * 1000) / CLOCK_TICKS;
        ticks.set(pid, sample.cpuTicks);
      }
      if (processes === 0) continue; // ended during the pass
      const elapsed = this.#lastPass === null ? 0 : now - this.#lastPass;
      const cpuPercent = elapsed > 0 ? Math.round((cpuMs / elapsed) * 1000) / 10 : 0;
      notify(listener, { pid: root, treeRssKb, cpuPercent, processes });
    }
    this.#reader.endPass();
    // The two maps swap roles each pass: this pass's ticks become the next one's baseline.
    this.#nextTicks = this.#ticks;
    this.#nextTicks.clear();
    this.#ticks = ticks;
    this.#lastPass = now;
  }

  /** Elsewhere: pidusage (ps) samples each watched child itself; descendants are not seen. */
  #passWithPidusage(): void {
    if (this.#busy) return;
    this.#busy = true;
    const roots = [...this.#watched.keys()];
    pidusage(roots, { maxage: this.intervalMs * 3 }, (error, stats) => {
      this.#busy = false;
      for (const root of roots) {
        const stat = error ? undefined : (stats[root] as pidusage.Status | undefined);
        const listener = this.#watched.get(root)?.listener;
        if (stat && listener)
          notify(listener, {
            pid: root,
            treeRssKb: Math.round(stat.memory / 1024),
            cpuPercent: Math.round(stat.cpu * 10) / 10,
            processes: 1,
          });
      }
    });
  }
}

function notify(listener: SampleListener, sample: TreeSample): void {
  try {
    listener(sample);
  } catch {
    // a throwing listener must not stop the other trees' samples
  }
}
