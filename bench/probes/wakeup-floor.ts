// Probe: the floors under issue 28's two per-event CPU goals on this machine, without ergate.
// (1) One wake-up of an idle Node process by its own timer: what a sampling pass costs before
// it reads anything. (2) One round trip over pipes between Node and a Python loop that echoes
// (Node writes a line, the child reads and writes it back, Node reads it): the least a
// launched script costs Node and the launcher loop, which exchange at least that per script.
// Each figure is the CPU of many events inside one measurement (process.cpuUsage for Node,
// /proc/<pid>/stat for the child), so a per-call clock's resolution does not enter it.
// Run: node --import tsx bench/probes/wakeup-floor.ts [EVENTS] [ROUNDS]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { pickPython } from '../harness/machine.ts';

const events = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 5);
const python = pickPython();
const TICK_MS = 1000 / 100; // USER_HZ, the unit of /proc/<pid>/stat's times

function cpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** utime + stime of `pid` in microseconds (clock ticks). */
function childCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS * 1000;
}

async function timerWakeUs(): Promise<number> {
  const before = cpuUs();
  for (let i = 0; i < events; i++) await new Promise((resolve) => setTimeout(resolve, 1));
  return (cpuUs() - before) / events;
}

const ECHO = `
import os
while True:
    data = os.read(0, 65536)
    if not data:
        break
    os.write(1, data)
`;

async function roundTripUs(): Promise<{ node: number; child: number }> {
  const child = spawn(python, ['-c', ECHO], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = Buffer.from(`${'x'.repeat(200)}\n`);
  const reply = (): Promise<void> => new Promise((resolve) => child.stdout.once('data', () => resolve()));
  // Warm: the interpreter's start is not part of a round trip.
  for (let i = 0; i < 50; i++) {
    const got = reply();
    child.stdin.write(line);
    await got;
  }
  const childBefore = childCpuUs(child.pid!);
  const before = cpuUs();
  for (let i = 0; i < events; i++) {
    const got = reply();
    child.stdin.write(line);
    await got;
  }
  const node = (cpuUs() - before) / events;
  const childUs = (childCpuUs(child.pid!) - childBefore) / events;
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
  return { node, child: childUs };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const wakes: number[] = [];
const trips: Array<{ node: number; child: number }> = [];
for (let round = 0; round < rounds; round++) {
  wakes.push(await timerWakeUs());
  trips.push(await roundTripUs());
}
console.log(`${os.cpus().length} cores ${os.cpus()[0].model}, Node ${process.version}, ${python}`);
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${rounds} rounds of ${events} events; medians`,
);
console.log(`timer wake-up of an idle Node process: ${median(wakes).toFixed(1)} us of Node CPU`);
console.log(
  `pipe round trip Node <-> Python echo loop: Node ${median(trips.map((t) => t.node)).toFixed(1)} us, ` +
    `Python ${median(trips.map((t) => t.child)).toFixed(1)} us`,
);
