// Sampling's cost to the ergate process (issue 28, goal 3) with builds side by side: each round
// runs `off` (sampleMs 0) and `on` (500 ms) of this build, and `on-<name>` of other builds
// (BEFORE=<dist/src/index.js>, or name=<path>,name=<path>; VARIANTS=off,on,... keeps only those),
// the order rotating, in one process, so a loaded machine slows all of them alike. Each run is the bench's (40 scripts of ~1 s, 4 wide, a fresh runner that first
// runs 4 empty scripts uncounted, a full GC on each side of the counted span).
// Usage: ERGATE_BENCH_OURS=dist node --expose-gc --import tsx bench/probes/sampling-ab.ts [rounds] [scripts]
// Prints medians of the CPU of all threads (process.cpuUsage) and of the main thread alone
// (/proc/thread-self/schedstat, ns), and per (process, pass) pair counted over script.sample.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onCpuNs } from '../harness/cpu-cost.ts';
import { requireOurs } from '../harness/ours.ts';
import { median } from '../harness/stats.ts';

const rounds = Number(process.argv[2] ?? 7);
const count = Number(process.argv[3] ?? 40);
const python = process.env.ERGATE_BENCH_PYTHON ?? '/usr/bin/python3';
const dir = mkdtempSync(path.join(os.tmpdir(), 'sampling-ab-'));
const scripts = Array.from({ length: count }, (_, i) => {
  const file = path.join(dir, `second_${i}.py`);
  writeFileSync(file, 'import time\ntime.sleep(1)\n');
  return file;
});
const warmUp = Array.from({ length: 4 }, (_, i) => {
  const file = path.join(dir, `empty_${i}.py`);
  writeFileSync(file, 'pass\n');
  return file;
});

type Runner = Awaited<ReturnType<typeof requireOurs<'ParallelRunner'>>>;
const builds: Record<string, Runner> = { now: await requireOurs('ParallelRunner') };
// BEFORE=path, or several as name=path,name=path (each adds a variant on-<name>)
for (const entry of (process.env.BEFORE ?? '').split(',').filter(Boolean)) {
  const [name, file] = entry.includes('=') ? entry.split('=') : ['before', entry];
  builds[name] = ((await import(file)) as { ParallelRunner: Runner }).ParallelRunner;
}

const variants: [string, Runner, number][] = [
  ['off', builds.now, 0],
  ['on', builds.now, 500],
];
for (const [name, runner] of Object.entries(builds)) if (name !== 'now') variants.push([`on-${name}`, runner, 500]);

interface Run {
  allMs: number;
  mainMs: number;
  pairs: number;
}

async function runOnce(ParallelRunner: Runner, sampleMs: number): Promise<Run> {
  let pairs = 0;
  const eventBus = {
    emit(type: string, event?: unknown): void {
      if (type === 'script.sample') pairs += (event as { processes: number }).processes;
    },
  };
  const runner = new ParallelRunner({ maxWorkers: 4, python, sampleMs, eventBus });
  try {
    await runner.runScripts(warmUp);
    globalThis.gc?.();
    const cpu = process.cpuUsage();
    const main = onCpuNs('thread-self');
    const result = await runner.runScripts(scripts);
    globalThis.gc?.();
    const mainMs = (onCpuNs('thread-self') - main) / 1e6;
    const used = process.cpuUsage(cpu);
    if (result.passed !== scripts.length) throw new Error(`only ${result.passed} of ${scripts.length} passed`);
    return { allMs: (used.user + used.system) / 1000, mainMs, pairs };
  } finally {
    await runner.close();
  }
}

if (process.env.VARIANTS) {
  const keep = process.env.VARIANTS.split(',');
  variants.splice(0, variants.length, ...variants.filter(([name]) => keep.includes(name)));
}
const runs = new Map<string, Run[]>(variants.map(([name]) => [name, []]));
const loads: number[] = [];
for (let round = 0; round < rounds; round++) {
  loads.push(os.loadavg()[0]);
  for (let i = 0; i < variants.length; i++) {
    const [name, runner, sampleMs] = variants[(round + i) % variants.length];
    runs.get(name)!.push(await runOnce(runner, sampleMs));
  }
}
rmSync(dir, { recursive: true, force: true });

const off = runs.get('off')!;
console.log(`${rounds} rounds of ${count} scripts, load ${Math.min(...loads)}-${Math.max(...loads)}`);
for (const [name, list] of runs) {
  const all = median(list.map((r) => r.allMs))!;
  const main = median(list.map((r) => r.mainMs))!;
  const pairs = median(list.map((r) => r.pairs))!;
  let line = `${name.padEnd(10)} all threads ${all.toFixed(1)} ms, main thread ${main.toFixed(1)} ms, pairs ${pairs}`;
  if (name !== 'off' && pairs > 0) {
    const addAll = all - median(off.map((r) => r.allMs))!;
    const addMain = main - median(off.map((r) => r.mainMs))!;
    line += `; added ${addAll.toFixed(1)} / ${addMain.toFixed(1)} ms = ${((1000 * addAll) / pairs).toFixed(0)} / ${((1000 * addMain) / pairs).toFixed(0)} µs a pair`;
  }
  console.log(line);
  console.log(
    `  all: ${list.map((r) => r.allMs.toFixed(0)).join(' ')}  main: ${list.map((r) => r.mainMs.toFixed(0)).join(' ')}`,
  );
}
