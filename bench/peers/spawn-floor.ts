// The spawn floor (issue 28, goal 2): `width` bare Python loops (spawn_floor.py), each
// spawning one script at a time, driven from this process over pipes by one request line and
// two reply lines a script, as ergate's launchers are, with the least Node can do: a 'data'
// handler that scans each chunk for "X" lines. Returns this process's CPU (every thread) and
// the loops' own on-CPU time (/proc/<pid>/schedstat, their scripts excluded).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onCpuNs } from '../harness/cpu-cost.ts';

const LOOP = fileURLToPath(new URL('./spawn_floor.py', import.meta.url));
const NEWLINE = 0x0a;
const X = 0x58;
const ZERO = 0x30;

export async function spawnFloor(
  python: string,
  program: string,
  scripts: string[],
  width: number,
): Promise<{ nodeMs: number; loopMs: number }> {
  const cpu = process.cpuUsage();
  const loops: ChildProcessWithoutNullStreams[] = [];
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, scripts.length) }, () => {
      const loop = spawn(python, [LOOP, program], { stdio: 'pipe' });
      loops.push(loop);
      loop.stderr.resume();
      loop.stdin.write(`${scripts[next++]}\n`);
      return new Promise<void>((resolve, reject) => {
        loop.once('error', reject);
        // A reply line starts a chunk or follows a newline: "S pid" (ignored) or "X status".
        loop.stdout.on('data', (chunk: Buffer) => {
          // Each line is one write of a few bytes, so a chunk holds whole lines.
          for (let at = 0, end = chunk.indexOf(NEWLINE); end >= 0; at = end + 1, end = chunk.indexOf(NEWLINE, at)) {
            if (chunk[at] !== X) continue;
            if (end - at !== 3 || chunk[at + 2] !== ZERO) failed++;
            if (next === scripts.length) return resolve();
            loop.stdin.write(`${scripts[next++]}\n`);
          }
        });
      });
    }),
  );
  let loopNs = 0;
  for (const loop of loops) loopNs += onCpuNs(loop.pid!);
  await Promise.all(
    loops.map((loop) => {
      const exited = new Promise((resolve) => loop.once('exit', resolve));
      loop.stdin.end();
      return exited;
    }),
  );
  const used = process.cpuUsage(cpu);
  if (failed > 0) throw new Error(`spawn floor: ${failed} of ${scripts.length} scripts failed`);
  return { nodeMs: (used.user + used.system) / 1000, loopMs: loopNs / 1e6 };
}
