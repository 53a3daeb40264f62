// Reads processes from /proc (Linux): resident memory of a process tree, open descriptors,
// whether a pid is still there (a zombie is: it only counts as gone once reaped), and a sampler
// of the bench process's own RSS and fds taken while a variant runs.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { findDescendants } from '../../src/script/proc-tree.ts';
import { readMarkerPids } from './scripts.ts';

function readStatusKb(pid: number | 'self', file: string, key: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/${file}`, 'utf8');
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0; // the process ended between listing and reading
  }
}

/** root and every descendant of it that exists now. */
export function listProcessTree(root: number): number[] {
  return [root, ...findDescendants(root).map((p) => p.pid)];
}

export interface TreeMemory {
  rssKb: number;
  /** proportional set size: shared pages split between the processes sharing them */
  pssKb: number;
  processes: number;
}

/** Summed RSS and PSS of a process and all its descendants. */
export function measureTreeMemory(root: number): TreeMemory {
  const tree = listProcessTree(root);
  let rssKb = 0;
  let pssKb = 0;
  for (const pid of tree) {
    rssKb += readStatusKb(pid, 'status', 'VmRSS');
    pssKb += readStatusKb(pid, 'smaps_rollup', 'Pss');
  }
  return { rssKb, pssKb, processes: tree.length };
}

export function countOpenFds(pid: number | 'self' = 'self'): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** true until the pid is gone from /proc, i.e. exited and reaped. */
export function isPresent(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Polls until the marker folder under dir holds at least n pids; throws after timeoutMs. */
export async function waitForMarkers(dir: string, n: number, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await readMarkerPids(dir);
    if (pids.length >= n) return pids;
    if (Date.now() > deadline) throw new Error(`only ${pids.length} of ${n} scripts started within ${timeoutMs} ms`);
    await delay(5);
  }
}

/** Epoch ms at which every pid was gone; null if some were still present after timeoutMs. */
export async function waitUntilGone(pids: number[], timeoutMs: number): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(isPresent);
  while (left.length > 0) {
    if (Date.now() > deadline) return null;
    await delay(1);
    left = left.filter(isPresent);
  }
  return Date.now();
}

/**
 * SIGKILLs whatever of pids is still there and still runs a script under `dir` (a pid may have
 * been reused by an unrelated process since): cleanup after a variant that left children behind.
 */
export function killSurvivors(pids: number[], dir: string): number {
  let killed = 0;
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(dir)) continue;
      process.kill(pid, 'SIGKILL');
      killed += 1;
    } catch {
      // already gone
    }
  }
  return killed;
}

export interface SelfSampler {
  stop(): { rssPeakMiB: number; rssMedianMiB: number; fdsMax: number; samples: number };
}

/** Samples this process's RSS and open fds every intervalMs until stop(). */
export function sampleSelf(intervalMs: number): SelfSampler {
  const rss: number[] = [];
  const fds: number[] = [];
  const take = (): void => {
    rss.push(process.memoryUsage.rss() / 2 ** 20);
    fds.push(countOpenFds('self'));
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const sorted = [...rss].sort((a, b) => a - b);
      return {
        rssPeakMiB: sorted[sorted.length - 1],
        rssMedianMiB: sorted[sorted.length >> 1],
        fdsMax: Math.max(...fds),
        samples: rss.length,
      };
    },
  };
}
