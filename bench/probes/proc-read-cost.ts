// Probe: what the tree sampler's /proc work costs per process it sees for the first time, step
// by step (CPU of this process, user + system, µs per process), the way the sampler does it: open
// and pread stat, statm (a first read's resident - shared), smaps_rollup (PSS, closed at once)
// and task/<pid>/children, and close them once the process is dead.
// Method (issue 28): each step is timed once around the whole batch of processes, never per
// call: process.cpuUsage() counts every thread and moves in accounting ticks, so one short call
// picks up other threads' ticks and reads many times its real cost. The per-process figure is
// the batch's CPU divided by its size. Processes are fresh Python interpreters sleeping ~3 s (like the
// sampling-cost bench's scripts); a pause before each batch lets caches cool, as the 500 ms
// between passes does.
// Run: node --import tsx bench/probes/proc-read-cost.ts [batches=10] [processes per batch=32]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAverage } from '../harness/cpu-cost.ts';
import { pickPython } from '../harness/machine.ts';

const STEPS = [
  'open stat (first touch of /proc/<pid>)',
  'pread stat',
  'open + pread + close statm (first read: resident - shared)',
  'open smaps_rollup',
  'pread smaps_rollup (PSS)',
  'close smaps_rollup, process alive',
  'open task/<pid>/children',
  'pread children',
  'close stat and children, process dead',
] as const;
type Step = (typeof STEPS)[number];

const buffer = Buffer.alloc(8192);
const spent = new Map<Step, number>(STEPS.map((step) => [step, 0]));
const counted = new Map<Step, number>(STEPS.map((step) => [step, 0]));

/** Runs `work` on every item inside one CPU measurement; returns what it returned per item. */
function timedBatch<T, R>(step: Step, items: T[], work: (item: T) => R): R[] {
  const out: R[] = new Array<R>(items.length);
  const before = process.cpuUsage();
  for (let i = 0; i < items.length; i++) out[i] = work(items[i]);
  const used = process.cpuUsage(before);
  spent.set(step, spent.get(step)! + used.user + used.system);
  counted.set(step, counted.get(step)! + items.length);
  return out;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

const batches = Number(process.argv[2] ?? 10);
const size = Number(process.argv[3] ?? 32);
const python = pickPython();
for (let batch = 0; batch < batches; batch++) {
  const children = Array.from({ length: size }, () =>
    spawn(python, ['-c', 'import time; time.sleep(3)'], { stdio: 'ignore' }),
  );
  await sleep(600);
  // Under load a child may not have started (or already ended): only live ones are measured.
  const pids = children.filter((child) => child.exitCode === null).map((child) => child.pid!);
  if (pids.length < size) console.error(`batch ${batch}: ${size - pids.length} of ${size} children not alive`);
  const stats = timedBatch('open stat (first touch of /proc/<pid>)', pids, (pid) =>
    fs.openSync(`/proc/${pid}/stat`, 'r'),
  );
  timedBatch('pread stat', stats, (fd) => fs.readSync(fd, buffer, 0, buffer.length, 0));
  timedBatch('open + pread + close statm (first read: resident - shared)', pids, (pid) => {
    const fd = fs.openSync(`/proc/${pid}/statm`, 'r');
    fs.readSync(fd, buffer, 0, buffer.length, 0);
    fs.closeSync(fd);
  });
  const rollups = timedBatch('open smaps_rollup', pids, (pid) => fs.openSync(`/proc/${pid}/smaps_rollup`, 'r'));
  timedBatch('pread smaps_rollup (PSS)', rollups, (fd) => fs.readSync(fd, buffer, 0, buffer.length, 0));
  timedBatch('close smaps_rollup, process alive', rollups, (fd) => fs.closeSync(fd));
  const kids = timedBatch('open task/<pid>/children', pids, (pid) =>
    fs.openSync(`/proc/${pid}/task/${pid}/children`, 'r'),
  );
  timedBatch('pread children', kids, (fd) => fs.readSync(fd, buffer, 0, buffer.length, 0));
  await Promise.all(children.map(exited));
  await sleep(50);
  timedBatch(
    'close stat and children, process dead',
    stats.map((fd, i) => [fd, kids[i]]),
    (fds) => fds.forEach((fd) => fs.closeSync(fd)),
  );
}

console.log(
  `${python}, ${batches} batches of ${size} fresh processes, each step timed over a whole batch, ` +
    `load average ${loadAverage()}; CPU µs per process:`,
);
let firstRead = 0;
for (const step of STEPS) {
  const perProcess = spent.get(step)! / counted.get(step)!;
  if (!step.includes('smaps_rollup') && !step.startsWith('pread stat')) firstRead += perProcess;
  console.log(`  ${step}: ${perProcess.toFixed(1)}`);
}
console.log(`  a process's whole life in the sampler, read once (no smaps_rollup): ${firstRead.toFixed(1)}`);
