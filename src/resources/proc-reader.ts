// Reads what a sampling pass needs about one process from /proc (Linux): its CPU ticks,
// thread count and RSS (stat), its PSS (smaps_rollup) and its children (task/*/children),
// keeping each file open between passes and re-reading it with pread at offset 0, as
// pidusage does for stat: a pass costs a few reads per process, no path lookups.
// Invariant: a descriptor not read during a pass is closed at the end of that pass.
import fs from 'node:fs';

export interface ProcessSample {
  /** user + system CPU time in clock ticks (USER_HZ, 100 per second on Linux) */
  cpuTicks: number;
  /** PSS in KiB, or RSS where smaps_rollup cannot be read (then shared pages count in full) */
  memoryKb: number;
  children: number[];
}

const PAGE_KB = 4;
const buffer = Buffer.alloc(8192);

export class ProcReader {
  readonly #open = new Map<string, number>();
  readonly #used = new Set<string>();

  /** One process, or null when it is gone. */
  read(pid: number): ProcessSample | null {
    const stat = this.#readFile(`/proc/${pid}/stat`);
    if (stat === null) return null;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const threads = Number(fields[17]);
    const rollup = this.#readFile(`/proc/${pid}/smaps_rollup`);
    const pss = rollup === null ? -1 : rollup.indexOf('\nPss:');
    const memoryKb = pss < 0 ? Number(fields[21]) * PAGE_KB : Number.parseInt(rollup!.slice(pss + 5), 10);
    // A child's parent is the thread that forked it: other threads' lists only when there are any.
    const tids = threads > 1 ? readTids(pid) : [String(pid)];
    const children: number[] = [];
    for (const tid of tids) {
      for (const field of (this.#readFile(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ')) {
        const child = Number(field); // '' reads as 0
        if (child > 0) children.push(child);
      }
    }
    return { cpuTicks: Number(fields[11]) + Number(fields[12]), memoryKb, children };
  }

  /** Closes the files of processes this pass did not read (they ended or left the tree). */
  endPass(): void {
    for (const [file, fd] of this.#open) {
      if (this.#used.has(file)) continue;
      fs.closeSync(fd);
      this.#open.delete(file);
    }
    this.#used.clear();
  }

  close(): void {
    this.#used.clear();
    this.endPass();
  }

  #readFile(file: string): string | null {
    this.#used.add(file);
    let fd = this.#open.get(file);
    if (fd !== undefined) {
      try {
        return buffer.toString('latin1', 0, fs.readSync(fd, buffer, 0, buffer.length, 0));
      } catch {
        // ESRCH: that process ended (its pid may be someone else's now): open the path again
        fs.closeSync(fd);
        this.#open.delete(file);
      }
    }
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return null;
    }
    this.#open.set(file, fd);
    try {
      return buffer.toString('latin1', 0, fs.readSync(fd, buffer, 0, buffer.length, 0));
    } catch {
      return null;
    }
  }
}

function readTids(pid: number): string[] {
  try {
    return fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}
