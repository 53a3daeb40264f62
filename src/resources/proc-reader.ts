// Reads what a sampling pass needs about one process from /proc (Linux): CPU ticks, thread
// count and RSS (stat, parsed by ../script/proc-stat.ts), memory and children
// (task/*/children), parsed from bytes.
// Memory is PSS (smaps_rollup, where the kernel walks the page tables: 120-150 µs for a Python
// process, ~20x a stat read) only from a process's third read on (alive ~two intervals after its
// first sample) or when the caller needs it exact (a tree under a cap or budget); a process's first
// ANON_READS reads otherwise take resident - shared from statm (RssAnon: a few µs), which is close
// to PSS for a fresh interpreter and high for a fork sharing its parent's pages.
// stat and the children lists stay open between passes (pread); smaps_rollup is opened, read
// and closed when read, then again when RSS moved past pssDriftKb() and every PSS_MAX_AGE
// passes (held open, it would pin an exited process's mm_struct until the sampler's close);
// in between, PSS is the last one plus the RSS change.
// Invariant: the descriptors of a process not read during a pass are closed at its end.
import fs from 'node:fs';
import { parseStat } from '../script/proc-stat.ts';

export interface ProcessSample {
  /** user + system CPU time in clock ticks (USER_HZ, 100 per second on Linux) */
  cpuTicks: number;
  /**
   * PSS in KiB; at a process's first ANON_READS reads unless exact, resident - shared (statm);
   * RSS where smaps_rollup cannot be read (then shared pages count in full)
   */
  memoryKb: number;
  children: number[];
}

const PAGE_KB = 4;
/**
 * Reads of a process that take statm's resident - shared rather than PSS (unless exact): a 1 s
 * script sampled every 500 ms is read once or twice, and its PSS read would cost more than
 * every other read of its life together.
 */
export const ANON_READS = 2;
/** Passes after which PSS is read again even if RSS stayed (sharers may have exited). */
export const PSS_MAX_AGE = 10;
/** How far RSS may move (KiB) from its value at the last smaps_rollup read before PSS is read again. */
export function pssDriftKb(rssKb: number): number {
  return Math.max(1024, rssKb >> 5);
}

const buffer = Buffer.alloc(8192);

interface Proc {
  stat: number;
  /** whether smaps_rollup could be opened (else memory is RSS) */
  hasRollup: boolean;
  /** task/<tid>/children descriptors by thread id */
  children: Map<string, number>;
  pssKb: number;
  rssAtPssKb: number;
  pssAge: number;
  used: boolean;
  /** passes that read it so far */
  reads: number;
}

export class ProcReader {
  readonly #procs = new Map<number, Proc>();
  /** smaps_rollup reads so far (what the drift rule saves is visible in tests) */
  pssReads = 0;
  /** statm reads so far (a process's first, inexact reads) */
  statmReads = 0;

  /**
   * One process, or null when it is gone. children, when given, receives its children.
   * exact: PSS even at the process's first reads (a tree near a cap or budget).
   */
  read(pid: number, children: number[] = [], exact = true): ProcessSample | null {
    let proc = this.#procs.get(pid);
    let length = proc ? preadOrFail(proc.stat) : -1;
    if (proc && length < 0) this.#forget(pid, proc); // ended (its pid may be someone else's now)
    if (length < 0) {
      proc = this.#open(pid) ?? undefined;
      length = proc ? preadOrFail(proc.stat) : -1;
      if (!proc || length < 0) return null;
    }
    proc!.used = true;
    const p = proc!;
    const stat = parseStat(buffer, length);
    if (!stat) return null;
    const { cpuTicks, threads } = stat;
    const rssKb = stat.rssPages * PAGE_KB;
    const memoryKb = !exact && p.reads < ANON_READS ? this.#anonKb(pid, rssKb) : this.#pss(p, pid, rssKb);
    p.reads++;
    // A child's parent is the thread that forked it: other threads' lists only when there are any.
    if (threads > 1) for (const tid of readTids(pid)) this.#readChildren(p, pid, tid, children);
    else this.#readChildren(p, pid, String(pid), children);
    return { cpuTicks, memoryKb, children };
  }

  /** Closes the files of processes this pass did not read (they ended or left the tree). */
  endPass(): void {
    for (const [pid, proc] of this.#procs) {
      if (proc.used) proc.used = false;
      else this.#forget(pid, proc);
    }
  }

  close(): void {
    for (const [pid, proc] of this.#procs) this.#forget(pid, proc);
  }

  /** resident - shared from statm (RssAnon), opened, read and closed: a process's first reads. */
  #anonKb(pid: number, rssKb: number): number {
    const statm = openOrFail(`/proc/${pid}/statm`);
    if (statm < 0) return rssKb;
    const length = preadOrFail(statm);
    fs.closeSync(statm);
    // "size resident shared text lib data dt", in pages.
    let field = 0;
    let value = 0;
    let resident = 0;
    for (let at = 0; at < length; at++) {
      const byte = buffer[at];
      if (byte >= 48 && byte <= 57) value = value * 10 + byte - 48;
      else {
        if (field === 1) resident = value;
        else if (field === 2) {
          this.statmReads++;
          return Math.max(0, resident - value) * PAGE_KB;
        }
        field++;
        value = 0;
      }
    }
    return rssKb;
  }

  #pss(proc: Proc, pid: number, rssKb: number): number {
    if (!proc.hasRollup) return rssKb;
    const fresh =
      proc.pssAge > 0 && proc.pssAge < PSS_MAX_AGE && Math.abs(rssKb - proc.rssAtPssKb) <= pssDriftKb(proc.rssAtPssKb);
    if (fresh) {
      proc.pssAge++;
      return Math.max(0, proc.pssKb + rssKb - proc.rssAtPssKb);
    }
    const rollup = openOrFail(`/proc/${pid}/smaps_rollup`);
    if (rollup < 0) {
      proc.hasRollup = false;
      return rssKb;
    }
    const length = preadOrFail(rollup);
    fs.closeSync(rollup);
    const at = length < 0 ? -1 : buffer.indexOf('\nPss:', 0, 'latin1');
    if (at < 0 || at >= length) return rssKb;
    this.pssReads++;
    proc.pssKb = Number.parseInt(buffer.toString('latin1', at + 5, Math.min(length, at + 40)), 10);
    proc.rssAtPssKb = rssKb;
    proc.pssAge = 1;
    return proc.pssKb;
  }

  #readChildren(proc: Proc, pid: number, tid: string, into: number[]): void {
    let fd = proc.children.get(tid);
    if (fd === undefined) {
      fd = openOrFail(`/proc/${pid}/task/${tid}/children`);
      if (fd < 0) return;
      proc.children.set(tid, fd);
    }
    const length = preadOrFail(fd);
    let value = 0;
    for (let at = 0; at < length; at++) {
      const byte = buffer[at];
      if (byte >= 48 && byte <= 57) value = value * 10 + byte - 48;
      else if (value > 0) {
        into.push(value);
        value = 0;
      }
    }
    if (value > 0) into.push(value);
  }

  #open(pid: number): Proc | null {
    const stat = openOrFail(`/proc/${pid}/stat`);
    if (stat < 0) return null;
    const proc: Proc = {
      stat,
      hasRollup: true,
      children: new Map(),
      pssKb: 0,
      rssAtPssKb: 0,
      pssAge: 0,
      used: false,
      reads: 0,
    };
    this.#procs.set(pid, proc);
    return proc;
  }

  #forget(pid: number, proc: Proc): void {
    this.#procs.delete(pid);
    fs.closeSync(proc.stat);
    for (const fd of proc.children.values()) fs.closeSync(fd);
  }
}

function openOrFail(file: string): number {
  try {
    return fs.openSync(file, 'r');
  } catch {
    return -1;
  }
}

/** Reads the file from offset 0 into the shared buffer: its length, or -1 (ESRCH: the process ended). */
function preadOrFail(fd: number): number {
  try {
    return fs.readSync(fd, buffer, 0, buffer.length, 0);
  } catch {
    return -1;
  }
}

function readTids(pid: number): string[] {
  try {
    return fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}
