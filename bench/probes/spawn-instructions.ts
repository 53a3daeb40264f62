// Probe: one build's spawn path, for counting its instructions under valgrind, where a loaded
// machine changes nothing: a warm-up runner of 100 trivial scripts (the JIT), then a fresh
// ParallelRunner (2 wide) over N more. Per script = (the run with N=202 - with N=2) / 200 of
// cachegrind's "I refs" (Node's user space, every thread; the launchers are not traced):
//   valgrind --tool=cachegrind --cache-sim=no --trace-children=no \
//     node --import tsx bench/probes/spawn-instructions.ts ROOT N
// ROOT: a package root holding dist/ (npm run build) and python/. The launcher loop alone:
// the same valgrind line around `python3 -I -S python/launcher.py` (bench/probes/launcher-drive.py).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pickPython } from '../harness/machine.ts';
import { writeTrivialScripts } from '../harness/scripts.ts';

type Runner = typeof import('../../src/index.ts').ParallelRunner;

const root = process.argv[2] ?? '.';
const n = Number(process.argv[3] ?? 202);
const python = pickPython();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-spawn-instructions-'));
const scripts = await writeTrivialScripts(dir, 100 + n);
const index = path.resolve(root, 'dist/src/index.js');
const { ParallelRunner } = (await import(index)) as { ParallelRunner: Runner };

async function run(list: string[]): Promise<void> {
  const runner = new ParallelRunner({ maxWorkers: 2, python, startMethod: 'spawn' });
  try {
    const result = await runner.runScripts(list, { timeoutMs: 300_000 });
    if (result.passed !== list.length) throw new Error(`only ${result.passed} of ${list.length} passed`);
  } finally {
    await runner.close();
  }
}

await run(scripts.slice(0, 100));
await run(scripts.slice(100));
fs.rmSync(dir, { recursive: true, force: true });
