// Probe: issue 28 goal 2's CPU figure (spawn mode, ergate's own CPU a trivial script: Node +
// launcher loop, the scripts excluded) for one or more builds in interleaved rounds of one
// process, so a loaded machine weighs on each alike. Per script = (a 200-script run - a
// 2-script run) / 198, a fresh ParallelRunner each (2 wide), medians: Node from
// process.cpuUsage, the launchers' own on-CPU time from /proc/<pid>/schedstat before close.
// A build is a package root holding dist/ (npm run build) and python/; copy one aside to
// compare against it.
// Run: node bench/probes/spawn-cpu-ab.ts ROUNDS ROOT... (with --import tsx)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAverage } from '../harness/cpu-cost.ts';
import { pickPython } from '../harness/machine.ts';
import { writeTrivialScripts } from '../harness/scripts.ts';
import { launcherCost } from '../harness/launcher-cost.ts';

type Runner = typeof import('../../src/index.ts').ParallelRunner;

const rounds = Number(process.argv[2] ?? 5);
const roots = process.argv.slice(3);
const python = pickPython();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-spawn-cpu-'));
const scripts = await writeTrivialScripts(dir, 200);
const runners = new Map<string, Runner>();
for (const root of roots) {
  const index = path.resolve(root, 'dist/src/index.js');
  runners.set(root, ((await import(index)) as { ParallelRunner: Runner }).ParallelRunner);
}

async function once(ParallelRunner: Runner, list: string[]): Promise<{ node: number; launcher: number }> {
  const cpu = process.cpuUsage();
  const runner = new ParallelRunner({ maxWorkers: 2, python, startMethod: 'spawn' });
  let launcher: number;
  try {
    const result = await runner.runScripts(list, { timeoutMs: 60_000 });
    if (result.passed !== list.length) throw new Error(`only ${result.passed} of ${list.length} passed`);
    launcher = launcherCost().ms;
  } finally {
    await runner.close();
  }
  const used = process.cpuUsage(cpu);
  return { node: (used.user + used.system) / 1000, launcher };
}

const samples = new Map(roots.map((root) => [root, [] as Array<{ node: number; launcher: number }>]));
for (const ParallelRunner of runners.values()) await once(ParallelRunner, scripts); // warm-up
for (let round = 0; round < rounds; round++) {
  for (const root of round % 2 === 0 ? roots : [...roots].reverse()) {
    const small = await once(runners.get(root)!, scripts.slice(0, 2));
    const full = await once(runners.get(root)!, scripts);
    const n = scripts.length - 2;
    samples.get(root)!.push({ node: (full.node - small.node) / n, launcher: (full.launcher - small.launcher) / n });
  }
}
fs.rmSync(dir, { recursive: true, force: true });

const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
console.log(`${python}, ${rounds} rounds (medians), load average ${loadAverage()}`);
for (const [root, list] of samples) {
  const node = median(list.map((s) => s.node));
  const launcher = median(list.map((s) => s.launcher));
  const own = median(list.map((s) => s.node + s.launcher));
  console.log(
    `${root.padEnd(32)} own ${own.toFixed(3)} ms a script (Node ${node.toFixed(3)}, launchers ${launcher.toFixed(3)})`,
  );
}
