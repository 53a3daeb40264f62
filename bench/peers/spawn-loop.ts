// Peer: the plain Node way to run scripts N wide: child_process.spawn per script under p-limit,
// output collected into strings the way ergate collects it. With failFast, the first failure
// SIGKILLs every running child and drops the queue, a fair naive version of ergate's failFast.
import { spawn, type ChildProcess } from 'node:child_process';
import pLimit from 'p-limit';

export interface SpawnLoopResult {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
}

export interface SpawnLoopOptions {
  python: string;
  concurrency: number;
  failFast?: boolean;
  /** called with each child as it starts (the memory probe counts them) */
  onSpawn?: (child: ChildProcess) => void;
}

function runChild(python: string, script: string, running: Set<ChildProcess>, onSpawn?: (c: ChildProcess) => void) {
  return new Promise<number | null>((resolve) => {
    const child = spawn(python, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', () => resolve(-1));
    child.on('close', (code) => {
      running.delete(child);
      // Collected like ergate collects them, so both sides pay for the output; then dropped.
      stdout = stderr = '';
      resolve(code);
    });
  });
}

export async function runSpawnLoop(scripts: string[], options: SpawnLoopOptions): Promise<SpawnLoopResult> {
  const limit = pLimit(options.concurrency);
  const running = new Set<ChildProcess>();
  let stopped = false;
  const result: SpawnLoopResult = { total: scripts.length, passed: 0, failed: 0, skipped: 0 };
  await Promise.all(
    scripts.map((script) =>
      limit(async () => {
        if (stopped) {
          result.skipped += 1;
          return;
        }
        const code = await runChild(options.python, script, running, options.onSpawn);
        if (code === 0) result.passed += 1;
        else if (stopped) result.skipped += 1;
        else {
          result.failed += 1;
          if (options.failFast) {
            // Queued calls see `stopped` and return at once (clearQueue would leave them unsettled).
            stopped = true;
            for (const child of running) child.kill('SIGKILL');
          }
        }
      }),
    ),
  );
  return result;
}
