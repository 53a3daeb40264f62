// The launcher processes' own CPU, for the script-cpu workload and its probes: on-CPU time
// from /proc/<pid>/schedstat (a process's scripts excluded) and minor faults of every
// python/launcher.py process (keeper and loop) below this one. Read before the runner closes.
import { readFileSync } from 'node:fs';
import { findDescendants } from '../../src/script/proc-tree.ts';
import { onCpuNs } from './cpu-cost.ts';

/** On-CPU ms and minor faults of every launcher process (keeper and loop) below this one. */
export function launcherCost(): { ms: number; faults: number } {
  let ns = 0;
  let faults = 0;
  for (const proc of findDescendants(process.pid)) {
    try {
      if (!readFileSync(`/proc/${proc.pid}/cmdline`, 'latin1').includes('launcher.py')) continue;
      ns += onCpuNs(proc.pid);
      const stat = readFileSync(`/proc/${proc.pid}/stat`, 'latin1');
      faults += Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
    } catch {
      // ended between the listing and the read
    }
  }
  return { ms: ns / 1e6, faults };
}
