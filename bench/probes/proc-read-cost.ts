// Probe: what the tree sampler's /proc work costs per process it sees for the first time, step
// by step (CPU of this process, user + system, µs), the way the sampler does it: open and
// pread stat, smaps_rollup (closed at once) and task/<pid>/children (closed once it is dead).
// Processes are fresh Python interpreters sleeping ~1 s (the sampling-cost bench's scripts);
// a pause between processes lets caches cool, as the 500 ms between passes does.
// Run: node --import tsx bench/probes/proc-read-cost.ts [batches=10]  (prints one line per step)
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAverage } from '../harness/cpu-cost.ts';
import { pickPython } from '../harness/machine.ts';

const STEPS = [
  'open stat (first touch of /proc/<pid>)',
  'pread stat',
  'open smaps_rollup',
  'pread smaps_rollup (PSS)',
  'close smaps_rollup, process alive',
  'open task/<pid>/children',
  'pread children',
  'close stat and children, process alive',
  'close stat and children, process dead',
] as const;
type Step = (typeof STEPS)[number];

const buffer = Buffer.alloc(8192);
const spent = new Map<Step, number>(STEPS.map((step) => [step, 0]));
const counted = new Map<Step, number>(STEPS.map((step) => [step, 0]));

function timed<T>(step: Step, work: () => T): T {
  const before = process.cpuUsage();
  const value = work();
  const used = process.cpuUsage(before);
  spent.set(step, spent.get(step)! + used.user + used.system);
  counted.set(step, counted.get(step)! + 1);
  return value;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

const batches = Number(process.argv[2] ?? 10);
const python = pickPython();
for (let batch = 0; batch < batches; batch++) {
  const children = Array.from({ length: 8 }, () =>
    spawn(python, ['-c', 'import time; time.sleep(1)'], { stdio: 'ignore' }),
  );
  await sleep(600);
  const heldUntilDead: number[][] = [];
  for (const [i, child] of children.entries()) {
    await sleep(20);
    const pid = child.pid!;
    const stat = timed('open stat (first touch of /proc/<pid>)', () => fs.openSync(`/proc/${pid}/stat`, 'r'));
    timed('pread stat', () => fs.readSync(stat, buffer, 0, buffer.length, 0));
    const rollup = timed('open smaps_rollup', () => fs.openSync(`/proc/${pid}/smaps_rollup`, 'r'));
    timed('pread smaps_rollup (PSS)', () => fs.readSync(rollup, buffer, 0, buffer.length, 0));
    timed('close smaps_rollup, process alive', () => fs.closeSync(rollup));
    const kids = timed('open task/<pid>/children', () => fs.openSync(`/proc/${pid}/task/${pid}/children`, 'r'));
    timed('pread children', () => fs.readSync(kids, buffer, 0, buffer.length, 0));
    const fds = [stat, kids];
    // Half are closed at once, half once their process is gone (what the sampler does).
    if (i % 2 === 0) timed('close stat and children, process alive', () => fds.forEach((fd) => fs.closeSync(fd)));
    else heldUntilDead.push(fds);
  }
  await Promise.all(children.map(exited));
  await sleep(50);
  for (const fds of heldUntilDead)
    timed('close stat and children, process dead', () => fds.forEach((fd) => fs.closeSync(fd)));
}

console.log(`${python}, ${batches * 8} fresh processes, load average ${loadAverage()}; CPU µs per process:`);
for (const step of STEPS) console.log(`  ${step}: ${(spent.get(step)! / counted.get(step)!).toFixed(1)}`);
