// The ways to run a list of trivial scripts N wide that workloads `scripts` and `growth` compare:
// ergate's ParallelRunner, warm (opened and primed before the timed runs, as a service holds it)
// or cold (new runner, run, close, all timed, as one CLI call pays), and its peers. Each checks that every script passed, so a variant cannot win by not working.
import {
  expectSuccess,
  startFairFloor,
  startGnuParallel,
  startForkFloor,
  startPythonPool,
  startXargs,
} from '../peers/cli-tools.ts';
import { runSpawnLoop } from '../peers/spawn-loop.ts';
import { requireOurs } from '../harness/ours.ts';
import { NotAvailableError } from '../harness/types.ts';
import type { ParallelRunner, ParallelRunnerOptions, StartMethod } from '../../src/index.ts';

export interface ScriptBatch {
  scripts: string[];
  python: string;
  concurrency: number;
}

function checkAllPassed(label: string, total: number, passed: number, expected: number, detail = ''): void {
  if (total !== expected || passed !== expected) {
    throw new Error(`${label}: ${passed} of ${total} passed, expected all ${expected}${detail ? ` (${detail})` : ''}`);
  }
}

function createRunner(
  Runner: typeof ParallelRunner,
  batch: ScriptBatch,
  startMethod?: StartMethod,
  preload?: string[],
): ParallelRunner {
  const options: ParallelRunnerOptions = { maxWorkers: batch.concurrency, python: batch.python };
  if (startMethod) options.startMethod = startMethod;
  if (preload) options.preload = preload;
  try {
    return new Runner(options);
  } catch (error) {
    if (startMethod && error instanceof TypeError) {
      throw new NotAvailableError(`ParallelRunner does not take startMethod '${startMethod}' yet: ${error.message}`);
    }
    throw error;
  }
}

async function runAll(runner: ParallelRunner, batch: ScriptBatch, scripts = batch.scripts): Promise<void> {
  const result = await runner.runScripts(scripts, { timeoutMs: 60_000 });
  const firstBad = result.results.find((r) => r.status !== 'passed');
  checkAllPassed('ParallelRunner', result.total, result.passed, scripts.length, firstBad?.error ?? '');
}

/** ergate, cold: new ParallelRunner, runScripts, close, all timed (what one CLI call pays). */
export async function runWithNewRunner(batch: ScriptBatch, startMethod?: StartMethod): Promise<void> {
  const runner = createRunner(await requireOurs('ParallelRunner'), batch, startMethod);
  try {
    await runAll(runner, batch);
  } finally {
    await runner.close();
  }
}

/** A ParallelRunner opened (and primed) outside the timed runs, or why it could not be. */
export interface OpenRunner {
  runner: ParallelRunner | null;
  failure: unknown;
}

/**
 * Creates a runner and primes its workers with a few scripts, within 60 s; never throws (the
 * failure is kept and thrown by runWithOpenRunner, so only the ours variant records it).
 */
export async function openRunner(
  batch: ScriptBatch,
  startMethod?: StartMethod,
  preload?: string[],
): Promise<OpenRunner> {
  let runner: ParallelRunner | null = null;
  let timer: NodeJS.Timeout | undefined;
  try {
    runner = createRunner(await requireOurs('ParallelRunner'), batch, startMethod, preload);
    const primed = runAll(runner, batch, batch.scripts.slice(0, batch.concurrency));
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the runner did not run its first scripts within 60 s')), 60_000);
    });
    await Promise.race([primed, deadline]);
    return { runner, failure: null };
  } catch (failure) {
    await runner?.close().catch(() => {});
    return { runner: null, failure };
  } finally {
    clearTimeout(timer);
  }
}

/** ergate, warm: runScripts on a runner that already exists (a long-lived service). */
export async function runWithOpenRunner(open: OpenRunner, batch: ScriptBatch): Promise<void> {
  if (!open.runner) throw open.failure;
  await runAll(open.runner, batch);
}

export async function closeRunner(open: OpenRunner): Promise<void> {
  await open.runner?.close();
}

export async function runWithXargs(batch: ScriptBatch): Promise<void> {
  await expectSuccess(startXargs(batch.scripts, batch.python, batch.concurrency), 'xargs');
}

export async function runWithGnuParallel(batch: ScriptBatch): Promise<void> {
  await expectSuccess(startGnuParallel(batch.scripts, batch.python, batch.concurrency), 'GNU parallel');
}

export async function runWithSpawnLoop(batch: ScriptBatch): Promise<void> {
  const result = await runSpawnLoop(batch.scripts, { python: batch.python, concurrency: batch.concurrency });
  checkAllPassed('spawn loop', result.total, result.passed, batch.scripts.length);
}

export async function runForkFloor(batch: ScriptBatch): Promise<void> {
  const run = startForkFloor(batch.scripts.length, batch.python, batch.concurrency);
  const { code, stdout } = await run.done;
  const summary = JSON.parse(stdout || '{}') as { total?: number; passed?: number };
  checkAllPassed('fork floor', summary.total ?? 0, summary.passed ?? 0, batch.scripts.length, `exit ${code}`);
}

export async function runFairFloor(batch: ScriptBatch): Promise<void> {
  const run = startFairFloor(batch.scripts, batch.python, batch.concurrency);
  const { code, stdout } = await run.done;
  const summary = JSON.parse(stdout || '{}') as { total?: number; passed?: number };
  checkAllPassed('fair floor', summary.total ?? 0, summary.passed ?? 0, batch.scripts.length, `exit ${code}`);
}

export async function runWithPythonPool(batch: ScriptBatch): Promise<void> {
  const run = startPythonPool(batch.scripts, batch.python, batch.concurrency);
  const { code, stdout } = await run.done;
  const summary = JSON.parse(stdout || '{}') as { total?: number; passed?: number };
  checkAllPassed('python pool', summary.total ?? 0, summary.passed ?? 0, batch.scripts.length, `exit ${code}`);
}
