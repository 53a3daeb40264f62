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

/** n calls of functions.ts#add through runFunction (warm pool: one call first, not timed). */
export async function runFunctionWorkload(n: number): Promise<WorkloadMeasure> {
  const ref = { module: new URL('functions.ts', fixtures), export: 'add' };
  await runFunction(ref, { args: [0, 0] });
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: n }, (_, i) => runFunction(ref, { args: [i, 1] })));
  const ms = performance.now() - started;
  if (results.some((r, i) => r.status !== 'passed' || r.result !== i + 1)) throw new Error('runFunction workload gave a wrong result');
  await closeFunctionPool();
  return measure(n, ms);
}

/** The same n calls on a raw piscina pool with as many threads as runFunction uses. */
export async function runRawPiscinaWorkload(n: number): Promise<WorkloadMeasure> {
  const size = os.availableParallelism();
  const pool = new Piscina({ filename: fileURLToPath(new URL('tiny-worker.mjs', fixtures)), minThreads: size, maxThreads: size });
  await pool.run({ a: 0, b: 0 });
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => pool.run({ a: i, b: 1 })));
  const ms = performance.now() - started;
  await pool.destroy();
  return measure(n, ms);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 20_000);
  console.log('raw piscina ', await runRawPiscinaWorkload(n));
  console.log('runFunction ', await runFunctionWorkload(n));
  console.log('raw piscina ', await runRawPiscinaWorkload(n));
  console.log('runFunction ', await runFunctionWorkload(n));
}
