// runFunction against the bare postMessage floor (issue 28, goal 4) in one process: rounds
// alternate ergate (FunctionRef, inline) and the floor, and the medians of wall time, main-thread
// CPU and heap growth are compared, so a loaded machine slows all of them alike.
// Usage: ERGATE_BENCH_OURS=dist node --import tsx bench/probes/run-function-floor.ts [rounds] [calls] [variants]
// variants: comma-separated of ref,inline,floor (default all). Add --cpu-prof or --trace-gc to
// profile; with --expose-gc it also prints the heap each waiting call keeps (and wall/CPU then
// include a full GC before and after each submission, so compare those without it).
import os from 'node:os';
import type { FunctionRef } from '../../src/index.ts';
import { requireOurs } from '../harness/ours.ts';
import { BarePostMessagePool } from '../peers/bare-post-message.ts';

const rounds = Number(process.argv[2] ?? 7);
const calls = Number(process.argv[3] ?? 20_000);
const chosen = (process.argv[4] ?? 'ref,inline,floor').split(',');
const threads = os.availableParallelism();
const WORKER_URL = new URL('../peers/tiny-worker.mjs', import.meta.url);

const runFunction = await requireOurs('runFunction');
const closeFunctionPool = await requireOurs('closeFunctionPool');
const bare = new BarePostMessagePool(threads);

function expectSum(label: string, sum: number): void {
  if (sum !== (calls * (calls + 1)) / 2) throw new Error(`${label}: wrong sum ${sum}`);
}

/**
 * With --expose-gc: the heap kept by the calls just submitted, all still waiting (no reply can
 * be handled before this synchronous code yields), per call. Measured the same way for both.
 */
const retained = new Map<string, number[]>();
function measureRetained(label: string, heapBefore: number): void {
  if (globalThis.gc === undefined) return;
  globalThis.gc();
  const list = retained.get(label) ?? [];
  list.push((process.memoryUsage().heapUsed - heapBefore) / calls);
  retained.set(label, list);
}

function heapNow(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

/** Another build of ergate (BEFORE=path of its dist/src/index.js) adds variants ref-before, inline-before. */
const before = process.env.BEFORE
  ? ((await import(process.env.BEFORE)) as { runFunction: typeof runFunction; closeFunctionPool: () => Promise<void> })
  : undefined;

async function ours(
  fn: FunctionRef | ((a: number, b: number) => number),
  label: string,
  run = runFunction,
): Promise<void> {
  const heapBefore = heapNow();
  const pending = new Array<Promise<{ result: number | null }>>(calls);
  for (let i = 0; i < calls; i++) pending[i] = run<number>(fn, { args: [i, 1], timeoutMs: 120_000 });
  measureRetained(label, heapBefore);
  const results = await Promise.all(pending);
  expectSum(
    'ours',
    results.reduce((sum, r) => sum + (r.result ?? Number.NaN), 0),
  );
}

async function floor(): Promise<void> {
  const heapBefore = heapNow();
  const pending = new Array<Promise<number>>(calls);
  for (let i = 0; i < calls; i++) pending[i] = bare.call(i);
  measureRetained('floor', heapBefore);
  expectSum(
    'floor',
    (await Promise.all(pending)).reduce((sum, x) => sum + x, 0),
  );
}

const variants: Record<string, () => Promise<void>> = {
  ref: () => ours({ module: WORKER_URL, export: 'add' }, 'ref'),
  inline: () => ours((a: number, b: number) => a + b, 'inline'),
  floor,
  'ref-before': () => ours({ module: WORKER_URL, export: 'add' }, 'ref-before', before?.runFunction),
  'inline-before': () => ours((a: number, b: number) => a + b, 'inline-before', before?.runFunction),
};

interface Sample {
  wall: number;
  cpu: number;
  heapMb: number;
}
const samples = new Map<string, Sample[]>(chosen.map((name) => [name, []]));

for (let round = -1; round < rounds; round++) {
  for (const name of chosen) {
    globalThis.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    // An allocation profiler preloaded with --import may hook the last round (see PERFORMANCE.md).
    const hooks = globalThis as { __startAlloc?: () => Promise<void>; __stopAlloc?: (calls: number) => Promise<void> };
    const profiling = round === rounds - 1 && hooks.__startAlloc !== undefined;
    if (profiling) await hooks.__startAlloc!();
    await variants[name]();
    if (profiling) await hooks.__stopAlloc!(calls);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    // process.cpuUsage covers every thread: the workers' CPU is in it too.
    if (round >= 0) samples.get(name)!.push({ wall, cpu: (cpu.user + cpu.system) / 1000, heapMb });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floorWall = samples.has('floor') ? median(samples.get('floor')!.map((s) => s.wall)) : Number.NaN;
console.log(
  `load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${calls} calls, ${rounds} rounds, ${threads} threads`,
);
for (const [name, list] of samples) {
  const wall = median(list.map((s) => s.wall));
  console.log(
    `${name.padEnd(13)} wall ${wall.toFixed(1).padStart(7)} ms (${list.map((s) => s.wall.toFixed(0)).join(' ')})` +
      `  cpu(all threads) ${median(list.map((s) => s.cpu)).toFixed(0)} ms  heap+ ${median(list.map((s) => s.heapMb)).toFixed(1)} MB` +
      `  x floor ${(wall / floorWall).toFixed(2)}`,
  );
}
for (const [name, list] of retained)
  console.log(`${name}: ${median(list).toFixed(0)} B kept per waiting call (median)`);
await bare.destroy();
await closeFunctionPool();
await before?.closeFunctionPool();
