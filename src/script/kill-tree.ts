// Ends a child's whole process tree: SIGTERM to its group and to descendants that escaped the
// group (snapshotted from /proc BEFORE anything is signalled, while ppid chains are intact),
// then SIGKILL to all of them after the grace period. Used by supervisors for timeout, abort
// and close, and by the main thread, which starts the termination of every running child at
// once on cancel/fail-fast/close (one shared /proc snapshot) and when a supervisor thread died.
import { findDescendants, readProcessTable, signalGroup, signalSnapshotted, type ProcessInfo } from './proc-tree.ts';

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

let tickTable: ProcessInfo[] | null = null;

/**
 * The process table, read at most once per event-loop turn: a fail-fast or close() stops
 * every running child in one synchronous burst, and one /proc walk (~2-4 ms) serves them all
 * instead of one walk per child (50 walks competing for 2 cores cost ~300 ms).
 */
function readTableThisTick(): ProcessInfo[] {
  if (!tickTable) {
    tickTable = readProcessTable();
    process.nextTick(() => { tickTable = null; });
  }
  return tickTable;
}

/** pid's descendants from a /proc snapshot shared by every call in this event-loop turn. */
export function snapshotTree(pid: number): ProcessInfo[] {
  return findDescendants(pid, readTableThisTick());
}

/** Signals pid's group, and the snapshotted descendants that left it (setsid). */
export function signalTree(pid: number, tree: ProcessInfo[], signal: NodeJS.Signals): void {
  signalGroup(pid, signal);
  for (const p of tree) if (p.pgid !== pid) signalSnapshotted(p, signal);
}

/**
 * First half of a termination: snapshot the tree, then SIGTERM the group and the escapees.
 * @returns the snapshot, for finishTermination's SIGKILL
 */
export function startTermination(pid: number): ProcessInfo[] {
  const tree = findDescendants(pid);
  signalTree(pid, tree, 'SIGTERM');
  return tree;
}

/**
 * Second half: after the grace period (or the child's exit, whichever is first), SIGKILL the
 * group and every snapshotted descendant. A second /proc look (for processes started during
 * the grace period) only when the child outlived its grace: once the child is reaped, its
 * descendants are re-parented and no ppid chain leads to them any more, so a walk is wasted.
 * @param exited resolves when the child has exited (been reaped)
 */
export async function finishTermination(pid: number, tree: ProcessInfo[], graceMs: number, exited: Promise<unknown>): Promise<void> {
  let reaped = false;
  void exited.then(() => { reaped = true; });
  await wait(graceMs, exited);
  await Promise.resolve(); // let `reaped` see an exit that ended the wait
  if (!reaped) tree = mergeSnapshots(tree, findDescendants(pid));
  killTreeNow(pid, tree);
}

/**
 * @param pid the child, which leads its own process group (pgid === pid)
 * @param exited resolves when the child has exited; ends the grace period early
 */
export async function terminateTree(pid: number, graceMs: number, exited: Promise<unknown>): Promise<void> {
  await finishTermination(pid, startTermination(pid), graceMs, exited);
}

/** SIGKILL the group and every snapshotted descendant at once. */
export function killTreeNow(pid: number, tree: ProcessInfo[] = findDescendants(pid)): void {
  for (const p of tree) signalSnapshotted(p, 'SIGKILL');
  signalGroup(pid, 'SIGKILL');
}
