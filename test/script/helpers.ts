// Shared helpers for the script tests: fixture paths, the fast interpreter, waiting for a
// live output line (the fixture's "started" announcement), and checking pids in /proc.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProcess } from '../../src/script/proc-tree.ts';

export const PYTHON = '/usr/bin/python3';
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** A collector for onOutput plus a promise for the first stdout line matching `pattern`. */
export function watchOutput(pattern: RegExp) {
  let text = '';
  let resolveMatch!: (m: RegExpMatchArray) => void;
  const matched = new Promise<RegExpMatchArray>((r) => {
    resolveMatch = r;
  });
  const onOutput = (stream: 'stdout' | 'stderr', chunk: string) => {
    if (stream !== 'stdout') return;
    text += chunk;
    const m = text.match(pattern);
    if (m) resolveMatch(m);
  };
  return { onOutput, matched };
}

/** State letter of a pid, or null if /proc has no such process (dead and reaped). */
export function processState(pid: number): string | null {
  return readProcess(pid)?.state ?? null;
}

/** Polls /proc until the pid is gone (reaped), failing after timeoutMs. */
export async function waitUntilGone(pid: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processState(pid) !== null) {
    if (Date.now() > deadline)
      throw new Error(`pid ${pid} still exists (state ${processState(pid)}) after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
