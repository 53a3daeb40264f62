// runFunction against the bare postMessage floor (issue 28, goal 4) in one process: rounds
// alternate ergate (FunctionRef, inline) and the floor, and the medians of wall time, main-thread
// CPU and heap growth are compared, so a loaded machine slows all of them alike.
// Usage: ERGATE_BENCH_OURS=dist node --import tsx bench/probes/run-function-floor.ts [rounds] [calls] [variants]
// variants: comma-separated of ref,inline,floor (default all). Add --cpu-prof or --trace-gc to profile.
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

async function ours(fn: FunctionRef | ((a: number, b: number) => number)): Promise<void> {
  const pending = new Array<Promise<{ result: number | null }>>(calls);
  for (let i = 0; i < calls; i++) pending[i] = runFunction<number>(fn, { args: [i, 1], timeoutMs: 120_000 });
  const results = await Promise.all(pending);
  expectSum(
    'ours',
    results.reduce((sum, r) => sum + (r.result ?? Number.NaN), 0),
  );
}

async function floor(): Promise<void> {
  const pending = new Array<Promise<number>>(calls);
  for (let i = 0; i < calls; i++) pending[i] = bare.call(i);
  expectSum(
    'floor',
    (await Promise.all(pending)).reduce((sum, x) => sum + x, 0),
  );
}

const variants: Record<string, () => Promise<void>> = {
  ref: () => ours({ module: WORKER_URL, export: 'add' }),
  inline: () => ours((a: number, b: number) => a + b),
  floor,
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
    `${name.padEnd(7)} wall ${wall.toFixed(1).padStart(7)} ms (${list.map((s) => s.wall.toFixed(0)).join(' ')})` +
      `  cpu(all threads) ${median(list.map((s) => s.cpu)).toFixed(0)} ms  heap+ ${median(list.map((s) => s.heapMb)).toFixed(1)} MB` +
      `  x floor ${(wall / floorWall).toFixed(2)}`,
  );
}
await bare.destroy();
await closeFunctionPool();
