// Peers that are whole programs: `xargs -P`, GNU parallel and the Python ProcessPoolExecutor
// harness (python_pool.py). Script paths go in on stdin; output is drained and dropped. Each
// runs in its own process group so the bench can end a tree it started without touching others.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotAvailableError } from '../harness/types.ts';

const POOL_HARNESS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python_pool.py');
const FORK_FLOOR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fork_floor.py');
const FAIR_FLOOR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fair_floor.py');

export interface ToolRun {
  child: ChildProcess;
  /** resolves with the exit code (null when killed) and the stdout text */
  done: Promise<{ code: number | null; stdout: string }>;
}

/** Starts command with input on stdin, in a new process group. */
export function startTool(command: string, args: string[], input: string): ToolRun {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.resume();
  child.stdin.on('error', () => {}); // a tool that exits early closes its stdin: not our failure
  child.stdin.end(input);
  const done = new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
  return { child, done };
}

/** SIGKILLs the process group a tool was started in. */
export function killToolGroup(run: ToolRun): void {
  try {
    process.kill(-run.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

let gnuParallel: string | null | undefined;

/** Path of GNU parallel (not moreutils' parallel), or null. */
function findGnuParallel(): string | null {
  if (gnuParallel !== undefined) return gnuParallel;
  gnuParallel = null;
  if (existsSync('/usr/bin/parallel')) {
    try {
      const version = execFileSync('/usr/bin/parallel', ['--version'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      if (version.includes('GNU parallel')) gnuParallel = '/usr/bin/parallel';
    } catch {
      // moreutils' parallel rejects --version
    }
  }
  return gnuParallel;
}

export function xargsArgs(python: string, concurrency: number): string[] {
  return ['-0', `-P${concurrency}`, '-n1', python];
}

export function gnuParallelArgs(python: string, concurrency: number, haltOnFailure: boolean): string[] {
  const halt = haltOnFailure ? ['--halt', 'now,fail=1'] : [];
  return ['--will-cite', '-0', `-j${concurrency}`, ...halt, python];
}

/** Starts xargs -P over the scripts. */
export function startXargs(scripts: string[], python: string, concurrency: number): ToolRun {
  return startTool('/usr/bin/xargs', xargsArgs(python, concurrency), scripts.join('\0'));
}

/** Starts GNU parallel over the scripts; NotAvailableError when it is not installed. */
export function startGnuParallel(
  scripts: string[],
  python: string,
  concurrency: number,
  haltOnFailure = false,
): ToolRun {
  const bin = findGnuParallel();
  if (!bin) throw new NotAvailableError('GNU parallel is not installed (Debian package `parallel`)');
  return startTool(bin, gnuParallelArgs(python, concurrency, haltOnFailure), scripts.join('\0'));
}

/** Starts the ProcessPoolExecutor + subprocess.run harness over the scripts. */
export function startPythonPool(scripts: string[], python: string, workers: number): ToolRun {
  return startTool(python, [POOL_HARNESS, '--workers', String(workers), '--python', python], scripts.join('\n'));
}

/** The fork floor: `count` bare fork() + os._exit(0) from a python importing only os, `width` at a time. */
export function startForkFloor(count: number, python: string, width: number): ToolRun {
  return startTool(python, [FORK_FLOOR, String(count), String(width)], '');
}

/**
 * The fair fork floor (issue 28): the parent compiles each script, makes its pipes and forks;
 * the child runs it as __main__ and flushes; the parent reads the pipes and wait4s. `width` at a time.
 */
export function startFairFloor(scripts: string[], python: string, width: number): ToolRun {
  return startTool(python, [FAIR_FLOOR, String(width), ...scripts], '');
}

/** Awaits a tool run and throws unless it exited 0 (every script passed). */
export async function expectSuccess(run: ToolRun, label: string): Promise<void> {
  const { code } = await run.done;
  if (code !== 0) throw new Error(`${label} exited with ${code}: some scripts failed`);
}
