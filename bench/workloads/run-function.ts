// Workload 4: 20,000 tiny function calls in worker threads, all submitted at once. ergate's
// runFunction (with a FunctionRef, and with an inline function sent as source) against raw
// piscina and tinypool pools of the same size and the bare postMessage floor (issue 28: as many
// bare worker_threads answering `{ id, x }` with `{ id, x + 1 }`), all created once and warmed
// up. Every result is checked, so no variant can skip work.
import os from 'node:os';
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import type { FunctionRef } from '../../src/index.ts';
import { requireOurs } from '../harness/ours.ts';
import type { BenchContext, Workload } from '../harness/types.ts';
import { BarePostMessagePool } from '../peers/bare-post-message.ts';

const WORKER_URL = new URL('../peers/tiny-worker.mjs', import.meta.url);

interface FunctionState {
  calls: number;
  piscina: Piscina;
  tinypool: Tinypool;
  bare: BarePostMessagePool;
}

function expectedSum(calls: number): number {
  // sum over i of (i + 1)
  return (calls * (calls + 1)) / 2;
}

function checkSum(label: string, got: number, calls: number): void {
  if (got !== expectedSum(calls)) throw new Error(`${label}: results summed to ${got}, expected ${expectedSum(calls)}`);
}

async function runOurs(state: FunctionState, fn: FunctionRef | ((a: number, b: number) => number)): Promise<void> {
  const runFunction = await requireOurs('runFunction');
  const results = await Promise.all(
    Array.from({ length: state.calls }, (_, i) => runFunction<number>(fn, { args: [i, 1], timeoutMs: 120_000 })),
  );
  const bad = results.find((r) => r.status !== 'passed');
  if (bad) throw new Error(`runFunction: a call ended '${bad.status}': ${bad.error}`);
  checkSum(
    'runFunction',
    results.reduce((sum, r) => sum + (r.result ?? Number.NaN), 0),
    state.calls,
  );
}

async function runPool(state: FunctionState, pool: Piscina | Tinypool, label: string): Promise<void> {
  const results = await Promise.all(
    Array.from({ length: state.calls }, (_, i) => pool.run({ a: i, b: 1 }) as Promise<number>),
  );
  checkSum(
    label,
    results.reduce((sum, r) => sum + r, 0),
    state.calls,
  );
}

async function runBare(state: FunctionState): Promise<void> {
  const results = await Promise.all(Array.from({ length: state.calls }, (_, i) => state.bare.call(i)));
  checkSum(
    'bare postMessage',
    results.reduce((sum, r) => sum + r, 0),
    state.calls,
  );
}

const threads = os.availableParallelism();
const FLOOR = 'bare postMessage (floor)';

export const runFunctionWorkload: Workload<FunctionState> = {
  name: 'run-function',
  title: 'runFunction: 20,000 tiny calls',
  metric: 'wall time for all calls, submitted at once',
  unit: 'ms',
  reference: 'piscina',
  goals: [
    {
      variant: 'ours',
      against: FLOOR,
      maxRatio: 2,
      text: 'runFunction (FunctionRef) <= 2x the bare postMessage floor (issue 28)',
    },
    {
      variant: 'ours (inline fn)',
      against: FLOOR,
      maxRatio: 2,
      text: 'runFunction (inline function) <= 2x the bare postMessage floor (issue 28)',
    },
  ],
  notes:
    `Pools of ${threads} threads (os.availableParallelism(), which is also ergate's default size), min = max ` +
    'so no thread starts inside a counted run. The function adds two numbers; ours is called with a ' +
    'FunctionRef to the same module the pools load, and once with an inline arrow function (sent as source). ' +
    `The floor: ${threads} bare worker_threads, one postMessage each way per call and a promise settled by id ` +
    '(peers/bare-post-message.ts): no timeout, validation or result object.',
  cases(ctx: BenchContext) {
    const calls = ctx.smoke ? 200 : 20_000;
    return [{ label: `${calls} calls`, params: { calls } }];
  },
  setup(_ctx, spec) {
    const options = { filename: WORKER_URL.href, minThreads: threads, maxThreads: threads };
    return {
      calls: spec.params.calls,
      piscina: new Piscina(options),
      tinypool: new Tinypool({ ...options, isolateWorkers: false }),
      bare: new BarePostMessagePool(threads),
    };
  },
  variants: {
    ours: (state) => runOurs(state, { module: WORKER_URL, export: 'add' }),
    'ours (inline fn)': (state) => runOurs(state, (a: number, b: number) => a + b),
    piscina: (state) => runPool(state, state.piscina, 'piscina'),
    tinypool: (state) => runPool(state, state.tinypool, 'tinypool'),
    [FLOOR]: runBare,
  },
  async teardown(state) {
    await Promise.all([state.piscina.destroy(), state.tinypool.destroy(), state.bare.destroy()]);
    // runFunction's shared pool would otherwise keep its threads until the bench exits.
    const closeFunctionPool = await requireOurs('closeFunctionPool').catch(() => undefined);
    await closeFunctionPool?.();
  },
};
