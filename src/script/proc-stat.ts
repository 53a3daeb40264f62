// Owns the one parser of /proc/<pid>/stat (proc(5)): "pid (comm) state ppid pgrp ...". The
// command name may hold spaces and parentheses, so fields are counted from the last ')'.
// Parsed from bytes with no string per field, for the sampler's hot path (ProcReader) as well
// as the process-tree snapshot (proc-tree.ts). Fields missing from a short line read as 0.

/** What ergate reads of one stat line. */
export interface ProcStat {
  /** single letter, e.g. 'S', 'R', 'Z' */
  state: string;
  ppid: number;
  pgid: number;
  /** utime + stime, in clock ticks (USER_HZ) */
  cpuTicks: number;
  threads: number;
  /** clock ticks since boot at the process's start; with pid, a unique identity */
  startTime: number;
  /** resident set size in pages */
  rssPages: number;
}

const SPACE = 0x20;
const OPEN = 0x28; // '('
const CLOSE = 0x29; // ')'
// Field positions counted from the state (proc(5)'s numbering minus 3).
const PPID = 1;
const PGRP = 2;
const UTIME = 11;
const STIME = 12;
const NUM_THREADS = 17;
const STARTTIME = 19;
const RSS = 21;

/** Parses the fields after the command name in bytes[0, length); null when there is no ')'. */
export function parseStat(bytes: Uint8Array, length: number): ProcStat | null {
  const close = bytes.lastIndexOf(CLOSE, length - 1);
  if (close < 0 || close + 2 >= length) return null;
  let at = close + 2;
  const stat: ProcStat = {
    state: String.fromCharCode(bytes[at]),
    ppid: 0,
    pgid: 0,
    cpuTicks: 0,
    threads: 0,
    startTime: 0,
    rssPages: 0,
  };
  while (at < length && bytes[at] !== SPACE) at++;
  at++;
  for (let field = 1; field <= RSS && at < length; field++) {
    let value = 0;
    while (at < length && bytes[at] !== SPACE) value = value * 10 + bytes[at++] - 48;
    at++;
    if (field === PPID) stat.ppid = value;
    else if (field === PGRP) stat.pgid = value;
    else if (field === UTIME || field === STIME) stat.cpuTicks += value;
    else if (field === NUM_THREADS) stat.threads = value;
    else if (field === STARTTIME) stat.startTime = value;
    else if (field === RSS) stat.rssPages = value;
  }
  return stat;
}

/** The command name: between the first '(' and the last ')' (at most 15 bytes, as /proc/<pid>/comm). */
export function statCommand(bytes: Uint8Array, length: number): string {
  const close = bytes.lastIndexOf(CLOSE, length - 1);
  return Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('latin1', bytes.indexOf(OPEN) + 1, close);
}
