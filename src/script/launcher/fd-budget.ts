// How wide a pool's launchers can be under RLIMIT_NOFILE. A running script keeps 2 pipe ends
// open in its launcher; a launcher keeps 4 in this process. Node raises its soft limit to the
// hard one at start and the launchers inherit it, so the limit read here is theirs too.
// Invariant: a fitted pool never needs more fds than the limit, in a launcher or in Node; it
// spreads over more launchers first and is narrowed only when Node itself could not hold them.
import { readFileSync } from 'node:fs';

/** fds a launcher holds besides its scripts' pipes (its own pipes, /dev/null, a starting script's, a preload's) */
const LAUNCHER_RESERVE = 32;
const FDS_PER_SCRIPT = 2;
/** fds this process keeps for itself (reports, /proc reads, function threads) */
const NODE_RESERVE = 64;
const FDS_PER_LAUNCHER = 4;

/** This process's soft RLIMIT_NOFILE, from /proc/self/limits; Infinity when unlimited or unknown. */
export function openFileLimit(): number {
  try {
    const line = /^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const soft = Number(line?.[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : Infinity;
  } catch {
    return Infinity;
  }
}

export interface FittedWidth {
  /** scripts running at once (the asked width, unless the limit cannot hold it) */
  size: number;
  launchers: number;
  perLauncher: number;
}

/** Spreads `size` scripts over at least `launchers` launchers so that each fits the limit. */
export function fitToOpenFiles(size: number, launchers: number, limit: number): FittedWidth {
  const perLauncherMax = Math.max(1, Math.floor((limit - LAUNCHER_RESERVE) / FDS_PER_SCRIPT));
  const launchersMax = Math.max(1, Math.floor((limit - NODE_RESERVE) / FDS_PER_LAUNCHER));
  let count = Math.max(launchers, Math.ceil(size / perLauncherMax));
  let width = size;
  if (count > launchersMax) {
    count = launchersMax;
    width = Math.min(size, count * perLauncherMax);
  }
  return { size: width, launchers: count, perLauncher: Math.ceil(width / count) };
}

let warned = false;

/** Says once per process that the width was narrowed to fit the limit. */
export function warnNarrowed(asked: number, fitted: number, limit: number): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    `running ${fitted} scripts at once, not ${asked}: the open-file limit (RLIMIT_NOFILE, ${limit}) cannot hold more; raise it with \`ulimit -n\``,
    'ErgateWarning',
  );
}
