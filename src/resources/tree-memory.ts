// Reads how much memory one process holds, counting a page shared with other processes
// (a fork server and its forks, shared libraries) by its share: PSS from
// /proc/<pid>/smaps_rollup. Summed over every process, each resident page counts once.
// Falls back to RSS where smaps_rollup is missing (Linux < 4.14) or unreadable.
import fs from 'node:fs';

/** Proportional set size in KiB, or null when the kernel does not tell (the caller then uses RSS). */
export function readPssKb(pid: number): number | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
  } catch {
    return null;
  }
  const at = text.indexOf('\nPss:');
  if (at < 0) return null;
  const value = Number.parseInt(text.slice(at + 5, text.indexOf('kB', at)), 10);
  return Number.isFinite(value) ? value : null;
}
