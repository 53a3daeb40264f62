// Probe: where a cold startMethod 'forkserver' run spends CPU, next to the fork floor, in CPU
// time and minor page faults rather than wall time (which a busy machine makes meaningless).
// Reaped children's CPU and faults come from this process's /proc/self/stat (cutime, cstime,
// cminflt: every launcher, keeper and script is reaped down the tree); Node's own CPU from
// process.cpuUsage(). Per script = (a 200-script round - a 2-script round) / 198, so
// launcher start-up and close fall out; the 2-script round shows them.
// Run: node --import tsx bench/probes/fork-phases.ts [rounds=5]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage, measureCost as measure, medianCost as pick, type Cost } from '../harness/cpu-cost.ts';
import { pickPython } from '../harness/machine.ts';
import { writeTrivialScripts } from '../harness/scripts.ts';
import { runWithNewRunner } from '../workloads/script-variants.ts';

const FORK_FLOOR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'fork_floor.py');

function runTool(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

const rounds = Number(process.argv[2] ?? 5);
const python = pickPython();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-fork-phases-'));
const scripts = await writeTrivialScripts(dir, 200);

function coldRun(list: string[]): Promise<void> {
  return runWithNewRunner({ scripts: list, python, concurrency: 2 }, 'forkserver');
}

await coldRun(scripts.slice(0, 2)); // resolves the interpreter once, as a warm-up
const samples = { python: [] as Cost[], floor: [] as Cost[], small: [] as Cost[], full: [] as Cost[] };
for (let round = 0; round < rounds; round++) {
  samples.python.push(await measure(() => runTool(python, ['-c', 'import os'])));
  samples.floor.push(await measure(() => runTool(python, [FORK_FLOOR, '200', '2'])));
  samples.small.push(await measure(() => coldRun(scripts.slice(0, 2))));
  samples.full.push(await measure(() => coldRun(scripts)));
}
fs.rmSync(dir, { recursive: true, force: true });

const load = loadAverage();
const perFork = (key: 'childMs' | 'childFaults') => (pick(samples.floor, key) - pick(samples.python, key)) / 200;
const perScript = (key: keyof Cost) => (pick(samples.full, key) - pick(samples.small, key)) / 198;
console.log(`${python}, ${rounds} rounds (medians), load average ${load}`);
console.log(
  `fork floor, per fork:            CPU ${perFork('childMs').toFixed(2)} ms, ${perFork('childFaults').toFixed(0)} faults`,
);
console.log(
  `forkserver, per script, Python:  CPU ${perScript('childMs').toFixed(2)} ms, ${perScript('childFaults').toFixed(0)} faults (launcher loops + scripts)`,
);
console.log(`forkserver, per script, Node:    CPU ${perScript('nodeMs').toFixed(2)} ms (ParallelRunner, main thread)`);
console.log(
  `forkserver, 2-script cold run:   Python CPU ${pick(samples.small, 'childMs').toFixed(0)} ms, Node CPU ${pick(samples.small, 'nodeMs').toFixed(0)} ms ` +
    `(two launchers started and closed; a bare python -c 'import os' takes ${pick(samples.python, 'childMs').toFixed(0)} ms)`,
);
