// Shared helpers of the launcher tests (both start methods; fork-only cases say so): a
// ScriptSpec for a fixture, and process-liveness checks by pid that treat a zombie as alive
// until it has been reaped.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScriptSpec } from '../../src/script/types.ts';

export const PYTHON = '/usr/bin/python3';
export const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'forkserver');

export function fixture(name: string): string {
  return path.join(fixturesDir, name);
}

export function specFor(name: string, overrides: Partial<ScriptSpec> = {}): ScriptSpec {
  return {
    script: fixture(name),
    python: PYTHON,
    args: [],
    cwd: fixturesDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    timeoutMs: 30_000,
    allowedExitCodes: [0],
    memoryLimitMb: null,
    cpuTimeLimitS: null,
    maxOutputBytes: 10 * 1024 * 1024,
    killGraceMs: 1_000,
    startMethod: 'forkserver',
    preload: [],
    liveOutput: false,
    ...overrides,
  };
}

/** true while the pid exists, zombies included (a zombie is dead only once reaped). */
export function isPresent(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once every pid is gone from /proc; rejects naming the survivors after deadlineMs. */
export async function waitUntilGone(pids: number[], deadlineMs = 15_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const alive = pids.filter(isPresent);
    if (alive.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still present after ${deadlineMs} ms: ${alive.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves with the first match of pattern in the live output. */
export function outputMatcher(pattern: RegExp): {
  onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void;
  match: Promise<RegExpExecArray>;
} {
  let text = '';
  let found!: (match: RegExpExecArray) => void;
  const match = new Promise<RegExpExecArray>((resolve) => (found = resolve));
  return {
    onOutput: (_stream, chunk) => {
      text += chunk;
      const result = pattern.exec(text);
      if (result) found(result);
    },
    match,
  };
}
