// Throughput of runFunction against a raw piscina pool of the same size, in the same run:
// n tiny calls by FunctionRef, all submitted at once. Run: node --import tsx bench/function-throughput.ts [n]
// Exports runFunctionWorkload / runRawPiscinaWorkload for the shared bench harness.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { closeFunctionPool, runFunction } from '../src/function/index.ts';

const fixtures = new URL('../test/fixtures/', import.meta.url);

export interface WorkloadMeasure {
  calls: number;
  ms: number;
  callsPerSecond: number;
}

function measure(calls: number, ms: number): WorkloadMeasure {
  return { calls, ms: Math.round(ms), callsPerSecond: Math.round((calls / ms) * 1000) };
}

/** n calls of functions.ts#add through runFunction, all submitted at once, on a warm pool. */
export async function runFunctionWorkload(n: number): Promise<WorkloadMeasure> {
  const ref = { module: new URL('functions.ts', fixtures), export: 'add' };
  // Warm: every thread started and the module loaded in each (piscina's minThreads does the same).
  await Promise.all(Array.from({ length: os.availableParallelism() * 8 }, () => runFunction(ref, { args: [0, 0] })));
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: n }, (_, i) => runFunction(ref, { args: [i, 1] })));
  const ms = performance.now() - started;
  if (results.some((r, i) => r.status !== 'passed' || r.result !== i + 1))
    throw new Error('runFunction workload gave a wrong result');
  await closeFunctionPool();
  return measure(n, ms);
}

/**
 * The same n calls on a raw piscina pool with as many threads as runFunction uses (no
 * timeouts, no per-call kill). `tasksPerThread` > 1 lets piscina pipeline like runFunction.
 */
export async function runRawPiscinaWorkload(n: number, tasksPerThread = 1): Promise<WorkloadMeasure> {
  const size = os.availableParallelism();
  const pool = new Piscina({
    filename: fileURLToPath(new URL('tiny-worker.mjs', fixtures)),
    minThreads: size,
    maxThreads: size,
    concurrentTasksPerWorker: tasksPerThread,
  });
  await pool.run({ a: 0, b: 0 });
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => pool.run({ a: i, b: 1 })));
  const ms = performance.now() - started;
  await pool.destroy();
  return measure(n, ms);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 20_000);
  // Alternate the contenders so a burst of load from elsewhere hits all of them alike.
  for (let round = 1; round <= 3; round++) {
    console.log(`round ${round}`);
    console.log('  raw piscina            ', await runRawPiscinaWorkload(n));
    console.log('  raw piscina, 4/thread  ', await runRawPiscinaWorkload(n, 4));
    console.log('  runFunction (FunctionRef)', await runFunctionWorkload(n));
  }
}
