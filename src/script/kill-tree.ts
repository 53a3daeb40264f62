// Ends a child's whole process tree: SIGTERM to its group and to descendants that escaped the
// group (snapshotted from /proc BEFORE anything is signalled, while ppid chains are intact),
// then SIGKILL to all of them after the grace period. Used by supervisors for timeout, abort
// and close, and by the main thread when a supervisor thread died with a child running.
import { findDescendants, signalGroup, signalSnapshotted, type ProcessInfo } from './proc-tree.ts';

function wait(ms: number, until: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void until.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function mergeSnapshots(a: ProcessInfo[], b: ProcessInfo[]): ProcessInfo[] {
  const seen = new Set(a.map((p) => `${p.pid}:${p.startTime}`));
  return [...a, ...b.filter((p) => !seen.has(`${p.pid}:${p.startTime}`))];
}

/**
 * @param pid the child, which leads its own process group (pgid === pid)
 * @param exited resolves when the child has exited; ends the grace period early
 */
export async function terminateTree(pid: number, graceMs: number, exited: Promise<unknown>): Promise<void> {
  let tree = findDescendants(pid);
  signalGroup(pid, 'SIGTERM');
  for (const p of tree) if (p.pgid !== pid) signalSnapshotted(p, 'SIGTERM');
  await wait(graceMs, exited);
  // Anything started during the grace period is caught by a second look.
  tree = mergeSnapshots(tree, findDescendants(pid));
  killTreeNow(pid, tree);
}

/** SIGKILL the group and every snapshotted descendant at once. */
export function killTreeNow(pid: number, tree: ProcessInfo[] = findDescendants(pid)): void {
  for (const p of tree) signalSnapshotted(p, 'SIGKILL');
  signalGroup(pid, 'SIGKILL');
}
