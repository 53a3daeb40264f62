// CPU cost of a piece of work, for probes on a busy machine where wall time means little:
// this process's own CPU (process.cpuUsage) and what its reaped descendants used (cutime,
// cstime and cminflt of /proc/self/stat: every child, and everything they reaped in turn).
// Invariant: only descendants reaped during the work are counted, so it must wait for them.
import fs from 'node:fs';

const TICK_MS = 1000 / 100; // USER_HZ

export interface Cost {
  /** this process, every thread */
  nodeMs: number;
  /** reaped descendants */
  childMs: number;
  childFaults: number;
}

function reaped(): { ms: number; faults: number } {
  const stat = fs.readFileSync('/proc/self/stat', 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ms: (Number(fields[13]) + Number(fields[14])) * TICK_MS, faults: Number(fields[8]) };
}

export async function measureCost(work: () => Promise<void>): Promise<Cost> {
  const before = reaped();
  const cpu = process.cpuUsage();
  await work();
  const used = process.cpuUsage(cpu);
  const after = reaped();
  return {
    nodeMs: (used.user + used.system) / 1000,
    childMs: after.ms - before.ms,
    childFaults: after.faults - before.faults,
  };
}

/**
 * On-CPU ns of one task from its schedstat: a process's main thread by pid (its children
 * excluded), or 'thread-self' for the calling thread, exact to the read.
 */
export function onCpuNs(task: number | 'thread-self'): number {
  return Number(fs.readFileSync(`/proc/${task}/schedstat`, 'latin1').split(' ')[0]);
}

/** The median of one field over rounds. */
export function medianCost(costs: Cost[], key: keyof Cost): number {
  const sorted = costs.map((cost) => cost[key]).sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/** "2.31 1.15 0.98" */
export function loadAverage(): string {
  return fs.readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');
}
