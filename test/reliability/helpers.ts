// Shared helpers for the reliability suite: fixture paths, the fast interpreter, /proc
// probes (process state, children, zombies, open fds, RSS) and event-based waiting. A zombie
// counts as dead only once it is reaped, so every check reads the state letter, never kill(0).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProcess, readProcessTable } from '../../src/script/proc-tree.ts';

export const PYTHON = '/usr/bin/python3';
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** State letter of a pid ('S', 'R', 'Z', …), or null when /proc has no such process (reaped). */
export function processState(pid: number): string | null {
  return readProcess(pid)?.state ?? null;
}

/** Every process whose parent is `ppid`, with its state. */
export function childrenOf(ppid: number): Array<{ pid: number; state: string }> {
  return readProcessTable()
    .filter((p) => p.ppid === ppid)
    .map((p) => ({ pid: p.pid, state: p.state }));
}

/** Zombie children of `ppid` (state Z: dead but not reaped). */
export function zombiesOf(ppid: number): number[] {
  return childrenOf(ppid)
    .filter((p) => p.state === 'Z')
    .map((p) => p.pid);
}

export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Polls a cheap condition; rejects after timeoutMs (no sleep decides an outcome). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the pid has left /proc (dead AND reaped). */
export async function waitUntilGone(pid: number, timeoutMs = 15_000): Promise<void> {
  await waitFor(() => processState(pid) === null, `pid ${pid} to be gone (state ${processState(pid)})`, timeoutMs);
}

/** An onOutput collector plus a promise for the first stdout match of `pattern`. */
export function watchOutput(pattern: RegExp) {
  let text = '';
  let resolveMatch!: (m: RegExpMatchArray) => void;
  const matched = new Promise<RegExpMatchArray>((r) => {
    resolveMatch = r;
  });
  const onOutput = (stream: 'stdout' | 'stderr', chunk: string): void => {
    if (stream !== 'stdout') return;
    text += chunk;
    const m = text.match(pattern);
    if (m) resolveMatch(m);
  };
  return { onOutput, matched };
}

/** Rejects if `promise` has not settled within ms: "never a hang" is asserted, not assumed. */
export function settleWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
