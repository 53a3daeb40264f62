// Reads the Linux process table from /proc so a child's whole tree can be found and killed,
// including descendants that left its process group with setsid. A process is identified by
// pid AND start time, so a pid reused after a snapshot is never signalled by mistake.
import fs from 'node:fs';
import { parseStat, statCommand } from './proc-stat.ts';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** single-letter state from /proc/<pid>/stat, e.g. 'S', 'R', 'Z' */
  state: string;
  /** clock ticks since boot; with pid, a unique identity */
  startTime: string;
  /** command name as in /proc/<pid>/comm (at most 15 characters), without the parentheses */
  comm: string;
}

/** One process from /proc/<pid>/stat (proc-stat.ts), or null when it is gone. */
export function readProcess(pid: number): ProcessInfo | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
  const stat = parseStat(bytes, bytes.length);
  if (!stat) return null;
  const { state, ppid, pgid, startTime } = stat;
  return { pid, state, ppid, pgid, startTime: String(startTime), comm: statCommand(bytes, bytes.length) };
}

export function readProcessTable(): ProcessInfo[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return []; // not Linux: group kill still works, the setsid sweep does not
  }
  const table: ProcessInfo[] = [];
  for (const entry of entries) {
    const first = entry.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    const info = readProcess(Number(entry));
    if (info) table.push(info);
  }
  return table;
}

/** Every live descendant of rootPid (not rootPid itself), found through ppid chains. */
export function findDescendants(rootPid: number, table: ProcessInfo[] = readProcessTable()): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const info of table) {
    const list = children.get(info.ppid);
    if (list) list.push(info);
    else children.set(info.ppid, [info]);
  }
  const found: ProcessInfo[] = [];
  const todo = [rootPid];
  while (todo.length > 0) {
    for (const child of children.get(todo.pop()!) ?? []) {
      found.push(child);
      todo.push(child.pid);
    }
  }
  return found;
}

/** true while the process exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  const info = readProcess(pid);
  return info !== null && info.state !== 'Z' && info.state !== 'X';
}

/** Signals a snapshotted process only if it is still the same process (start time). */
export function signalSnapshotted(info: ProcessInfo, signal: NodeJS.Signals): void {
  if (info.pid <= 1) return;
  const now = readProcess(info.pid);
  if (!now || now.startTime !== info.startTime) return;
  try {
    process.kill(info.pid, signal);
  } catch {
    // ESRCH: it died meanwhile; EPERM: it is no longer ours to kill
  }
}

/**
 * SIGKILLs every live process whose group is one of `pgids`, by pid from one /proc snapshot:
 * for groups whose leader may already be reaped (a group id can then be reused, so the group
 * is never signalled as such).
 */
export function killGroupMembers(pgids: number[]): void {
  const wanted = new Set(pgids.filter((pgid) => pgid > 1));
  if (wanted.size === 0) return;
  for (const info of readProcessTable()) if (wanted.has(info.pgid)) signalSnapshotted(info, 'SIGKILL');
}
