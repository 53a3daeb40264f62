// Probe: the floor under issue 28 goal 3's per-pass cost. The bench's workload shape (40
// Python scripts of ~1 s, 4 at a time) is run by a separate Python parent, which reports each
// child's start and end on a pipe, so this process does nothing but sample: a 500 ms timer
// reading each live child's /proc files as ergate's sampler does with the least code (stat
// and task/<pid>/children held open and pread; statm opened, read and closed; a child read
// only once it has lived 0.9 interval). Main-thread CPU (/proc/thread-self/schedstat, ns) of
// each variant in interleaved rounds, medians: off (no timer), timer (wakes, reads nothing),
// on (wakes and reads). Per (process, pass) pair = (on - off) / pairs.
// Run: node --import tsx bench/probes/sampling-floor.ts [rounds] (load average printed)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { onCpuNs } from '../harness/cpu-cost.ts';
import { median } from '../harness/stats.ts';

const rounds = Number(process.argv[2] ?? 9);
const python = process.env.ERGATE_BENCH_PYTHON ?? '/usr/bin/python3';
const INTERVAL = 500;
const PARENT = `
import subprocess, sys
live, next_ = [], 0
while next_ < 40 or live:
    while next_ < 40 and len(live) < 4:
        p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1)"])
        live.append(p); next_ += 1
        print("+%d" % p.pid, flush=True)
    import os
    pid, _ = os.wait()
    for p in live:
        if p.pid == pid:
            p.returncode = 0; live.remove(p); print("-%d" % pid, flush=True); break
`;

const buffer = Buffer.alloc(8192);

interface Child {
  from: number;
  reads: number;
  stat?: number;
  children?: number;
}

async function once(variant: 'off' | 'timer' | 'on'): Promise<{ ms: number; pairs: number }> {
  const live = new Map<number, Child>();
  let pairs = 0;
  const pass = (): void => {
    if (variant !== 'on') return;
    const now = performance.now();
    for (const [pid, child] of live) {
      if (now < child.from) continue;
      try {
        child.stat ??= fs.openSync(`/proc/${pid}/stat`, 'r');
        child.children ??= fs.openSync(`/proc/${pid}/task/${pid}/children`, 'r');
        fs.readSync(child.stat, buffer, 0, buffer.length, 0);
        if (child.reads++ < 2) {
          const statm = fs.openSync(`/proc/${pid}/statm`, 'r');
          fs.readSync(statm, buffer, 0, buffer.length, 0);
          fs.closeSync(statm);
        }
        fs.readSync(child.children, buffer, 0, buffer.length, 0);
        pairs++;
      } catch {
        // ended since its line was read
      }
    }
  };
  const parent = spawn(python, ['-c', PARENT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const timer = variant === 'off' ? null : setInterval(pass, INTERVAL);
  const start = onCpuNs('thread-self');
  for await (const line of createInterface({ input: parent.stdout })) {
    const pid = Number(line.slice(1));
    if (line[0] === '+') live.set(pid, { from: performance.now() + 0.9 * INTERVAL, reads: 0 });
    else {
      const child = live.get(pid);
      live.delete(pid);
      if (child?.stat !== undefined) fs.closeSync(child.stat);
      if (child?.children !== undefined) fs.closeSync(child.children);
    }
  }
  const ms = (onCpuNs('thread-self') - start) / 1e6;
  if (timer) clearInterval(timer);
  return { ms, pairs };
}

const variants = ['off', 'timer', 'on'] as const;
const runs = new Map(variants.map((v) => [v, [] as Array<{ ms: number; pairs: number }>]));
const loads: number[] = [];
for (let round = 0; round < rounds; round++) {
  loads.push(os.loadavg()[0]);
  for (let i = 0; i < variants.length; i++) {
    const variant = variants[(round + i) % variants.length];
    runs.get(variant)!.push(await once(variant));
  }
}
const off = median(runs.get('off')!.map((r) => r.ms))!;
console.log(`${python}, ${rounds} rounds, load ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}`);
for (const [variant, list] of runs) {
  const ms = median(list.map((r) => r.ms))!;
  const pairs = median(list.map((r) => r.pairs))!;
  let line = `${variant.padEnd(6)} main thread ${ms.toFixed(2)} ms (${list.map((r) => r.ms.toFixed(1)).join(' ')})`;
  if (variant !== 'off') line += `; added ${(ms - off).toFixed(2)} ms`;
  if (pairs > 0) line += `, pairs ${pairs}: ${((1000 * (ms - off)) / pairs).toFixed(0)} µs a pair`;
  console.log(line);
}
