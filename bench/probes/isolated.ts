// One measurement taken in a process of its own: both ends of the protocol between a workload
// (parent, `measureInChild`) and a probe script (child, `reportSample` + `timeWork`).
// Why a child per run: once ergate's AsyncLocalStorage is used, Node 20 turns promise hooks on
// for the whole process, and every promise of every peer measured afterwards in that process
// pays for them too (p-limit: ~390 ms CPU per 100k jobs alone, ~650 ms with hooks on). A fresh
// process per run gives each variant only its own costs, and a heap nobody else has dirtied.
// The child loads its library and prepares its input untimed, times only the work, and prints
// one JSON line; its start-up is never part of the figure.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { NotAvailableError, type Sample } from '../harness/types.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..');

/** What a probe prints as its last stdout line. */
type ProbeLine = { sample: Sample } | { notAvailable: string } | { error: string };

// Children still running if the bench itself exits (a deadline hit, Ctrl-C): never leave strays.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ChildOptions {
  /** extra node flags for the child, e.g. --expose-gc */
  nodeFlags?: string[];
  /** the child is killed after this long (keep it under the harness's own call deadline) */
  deadlineMs: number;
}

/** The child's deadline: under the harness's per-call deadline (300 s, smoke 20 s). */
export function probeDeadline(smoke: boolean): number {
  return smoke ? 18_000 : 280_000;
}

function parseLastLine(stdout: string): ProbeLine | null {
  const last = stdout.trimEnd().split('\n').at(-1);
  if (!last) return null;
  try {
    return JSON.parse(last) as ProbeLine;
  } catch {
    return null;
  }
}

/**
 * Runs `bench/probes/<probe>` under `node --import tsx` (ergate itself is loaded from dist/ or the
 * sources as ERGATE_BENCH_OURS, inherited, says) and resolves with the sample it reports.
 */
export function measureInChild(probe: string, args: string[], options: ChildOptions): Promise<Sample> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...(options.nodeFlags ?? []), path.join(here, probe), ...args],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.deadlineMs);
  return new Promise<Sample>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      const line = parseLastLine(stdout);
      if (timedOut) reject(new Error(`probe ${probe} ${args.join(' ')} timed out after ${options.deadlineMs} ms`));
      else if (line && 'sample' in line) resolve(line.sample);
      else if (line && 'notAvailable' in line) reject(new NotAvailableError(line.notAvailable));
      else if (line && 'error' in line) reject(new Error(line.error));
      else
        reject(new Error(`probe ${probe} exited with ${signal ?? code} and no result: ${stderr.trim().slice(-400)}`));
    });
  });
}

/** Child side: times `work` alone (wall and CPU) and returns it as a sample in ms. */
export async function timeWork(work: () => Promise<void>): Promise<Sample> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { value: ms, extra: { 'CPU ms': (cpu.user + cpu.system) / 1000 } };
}

/** Child side: prints what `measure` produced (or why it could not) as one JSON line, then exits. */
export async function reportSample(measure: () => Promise<Sample>): Promise<never> {
  let line: ProbeLine;
  try {
    line = { sample: await measure() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    line = error instanceof NotAvailableError ? { notAvailable: message } : { error: message };
  }
  // Exit explicitly: a component that keeps a handle open must not turn into a hang.
  return new Promise<never>(() => process.stdout.write(`${JSON.stringify(line)}\n`, () => process.exit(0)));
}
