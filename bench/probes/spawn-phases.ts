// Probe: where a cold startMethod 'spawn' run (the default) spends CPU, next to xargs -P2 and
// the seed's ProcessPoolExecutor on the same 200 trivial scripts, in CPU time rather than wall
// time (which a busy machine makes meaningless; with 2 cores saturated, wall ≈ CPU / 2).
// Python side = every reaped launcher, keeper and script; Node = this process. Per script of
// ours = (a 200-script round - a 2-script round) / 198, so launcher start-up and close fall
// out; the 2-script round shows them. The peers are whole runs / 200.
// Run: node --import tsx bench/probes/spawn-phases.ts [rounds=5]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAverage, measureCost, medianCost, type Cost } from '../harness/cpu-cost.ts';
import { pickPython } from '../harness/machine.ts';
import { writeTrivialScripts } from '../harness/scripts.ts';
import { runWithNewRunner } from '../workloads/script-variants.ts';
import { expectSuccess, startPythonPool, startXargs } from '../peers/cli-tools.ts';

const rounds = Number(process.argv[2] ?? 5);
const python = pickPython();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-spawn-phases-'));
const scripts = await writeTrivialScripts(dir, 200);

function coldRun(list: string[]): Promise<void> {
  return runWithNewRunner({ scripts: list, python, concurrency: 2 });
}

await coldRun(scripts.slice(0, 2)); // resolves the interpreter once, as a warm-up
const samples = { xargs: [] as Cost[], pool: [] as Cost[], small: [] as Cost[], full: [] as Cost[] };
for (let round = 0; round < rounds; round++) {
  samples.xargs.push(await measureCost(() => expectSuccess(startXargs(scripts, python, 2), 'xargs')));
  samples.pool.push(await measureCost(() => expectSuccess(startPythonPool(scripts, python, 2), 'pool')));
  samples.small.push(await measureCost(() => coldRun(scripts.slice(0, 2))));
  samples.full.push(await measureCost(() => coldRun(scripts)));
}
fs.rmSync(dir, { recursive: true, force: true });

const whole = (costs: Cost[], key: keyof Cost) => medianCost(costs, key) / 200;
const perScript = (key: keyof Cost) => (medianCost(samples.full, key) - medianCost(samples.small, key)) / 198;
const ours = perScript('childMs') + perScript('nodeMs');
const xargs = whole(samples.xargs, 'childMs');
const pool = whole(samples.pool, 'childMs');
console.log(`${python}, ${rounds} rounds (medians), load average ${loadAverage()}`);
console.log(`xargs -P2, per script:               CPU ${xargs.toFixed(2)} ms`);
console.log(`ProcessPoolExecutor, per script:     CPU ${pool.toFixed(2)} ms`);
console.log(
  `spawn, per script, Python side:      CPU ${perScript('childMs').toFixed(2)} ms, ${perScript('childFaults').toFixed(0)} faults (launcher loops + scripts)`,
);
console.log(
  `spawn, per script, Node:             CPU ${perScript('nodeMs').toFixed(2)} ms (ParallelRunner, main thread)`,
);
console.log(
  `spawn, per script, all:              CPU ${ours.toFixed(2)} ms = ${(ours / xargs).toFixed(2)}x xargs, ${(ours / pool).toFixed(2)}x the pool`,
);
console.log(
  `spawn, 2-script cold run:            Python CPU ${medianCost(samples.small, 'childMs').toFixed(0)} ms, Node CPU ${medianCost(samples.small, 'nodeMs').toFixed(0)} ms (two launchers started and closed)`,
);
