// Shared test helpers for the parallel runner and CLI tests: fixture paths, waiting on
// conditions (fixtures announce themselves by writing a pid file), and proving by pid that
// no child survived (/proc/<pid>/stat; a zombie only counts as dead once it is reaped).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProcess } from '../../src/script/proc-tree.ts';

export const PYTHON = '/usr/bin/python3';
export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const fixture = (name: string): string => path.join(fixturesDir, name);

export function makeTempDir(prefix = 'ergate-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A copy of test/fixtures/argv_bytes.py under `dir` whose path, relative to it, is `relative`
 * (Latin-1: each character one byte, so 'caf\xe9_test.py' is not valid UTF-8), made through
 * Node's Buffer path API; returns the file's absolute path as bytes.
 */
export function writeByteNamedScript(dir: string, relative = 'caf\xe9_test.py'): Buffer {
  const file = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(relative, 'latin1')]);
  mkdirSync(file.subarray(0, file.lastIndexOf(0x2f)), { recursive: true });
  copyFileSync(path.join(fixturesDir, '..', '..', 'fixtures', 'argv_bytes.py'), file);
  return file;
}

/** Polls a condition (cheap, no fixed sleep decides anything); rejects after timeoutMs. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** pids announced by forever.py in a PID_DIR, once `count` of them exist. */
export async function waitForPids(dir: string, count: number): Promise<number[]> {
  await waitFor(() => readdirSync(dir).length >= count, `${count} pid files in ${dir}`);
  return readdirSync(dir).map(Number);
}

/** Process state letter from /proc/<pid>/stat, or null when the pid is gone (reaped). */
export function processState(pid: number): string | null {
  return readProcess(pid)?.state ?? null;
}

/** True once the pid is gone; a zombie must be reaped (disappear) within the window. */
export async function isGoneSoon(pid: number, timeoutMs = 5_000): Promise<boolean> {
  try {
    await waitFor(() => processState(pid) === null, `pid ${pid} to be reaped`, timeoutMs);
    return true;
  } catch {
    return false;
  }
}
