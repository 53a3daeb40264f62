// Shared helpers for function tests: fixture refs, and process liveness by pid.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const fixturesUrl = new URL('../fixtures/', import.meta.url);
export const functionsModule = fileURLToPath(new URL('functions.ts', fixturesUrl));

/** A FunctionRef to an export of test/fixtures/functions.ts. */
export function fixture(exportName: string): { module: string; export: string } {
  return { module: functionsModule, export: exportName };
}

/**
 * true while the pid exists. A zombie still counts as alive: it is dead only once reaped,
 * which for our own children proves the pool waited for them.
 */
export function isAlive(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`, 'utf8');
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `check()` is true, polling /proc-style state every 20 ms, or throws after `ms`. */
export async function waitUntil(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
