// Issue 14 point 8: no group kill may reach a pid after its leader was reaped (the id could
// name someone else's group by then), and no signal goes to pid 0, 1 or -1. Proven from the
// kernel's side: strace records every kill and wait4 of the driver, its launchers and scripts.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fixture } from './helpers.ts';

const run = promisify(execFile);

type Syscall = { kind: 'kill'; target: number } | { kind: 'reap'; pid: number };

/** kill(target, …) as issued, and every pid a wait4 returned (a blocking wait4 that strace
 *  splits into "<unfinished ...>" and "<... wait4 resumed>" counts when it returns). */
function parseTrace(text: string): Syscall[] {
  const calls: Syscall[] = [];
  for (const line of text.split('\n')) {
    const kill = /^\d+\s+kill\((-?\d+),/.exec(line);
    if (kill) calls.push({ kind: 'kill', target: Number(kill[1]) });
    const reap = /^\d+\s+(?:wait4\(|<\.\.\. wait4 resumed>).*\)\s+=\s+(\d+)/.exec(line);
    if (reap && Number(reap[1]) > 0) calls.push({ kind: 'reap', pid: Number(reap[1]) });
  }
  return calls;
}

describe.each(['spawn', 'forkserver'] as const)('kill safety (%s)', (startMethod) => {
  it('signals a group only before its leader is reaped, and never pid 0, 1 or -1', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ergate-kill-safety-'));
    try {
      const trace = path.join(dir, 'trace.txt');
      const driver = fixture('driver-kill-cases.mts');
      const { stdout } = await run(
        'strace',
        [
          '-f',
          '-qq',
          '-e',
          'trace=kill,wait4',
          '-e',
          'signal=none',
          '-o',
          trace,
          process.execPath,
          '--import',
          'tsx',
          driver,
          startMethod,
        ],
        { timeout: 60_000 },
      );
      expect(stdout).toContain('done passed timeout cancelled passed');
      const calls = parseTrace(await readFile(trace, 'utf8'));

      const reaped = new Set<number>();
      const groupKillsBeforeReap: number[] = [];
      for (const call of calls) {
        if (call.kind === 'reap') {
          reaped.add(call.pid);
          continue;
        }
        expect([0, 1, -1]).not.toContain(call.target);
        if (call.target < 0) {
          expect(reaped.has(-call.target), `kill(${call.target}) after pid ${-call.target} was reaped`).toBe(false);
          groupKillsBeforeReap.push(-call.target);
        }
      }
      // Not vacuous: the leftover, the timeout and the cancellation each signalled a group.
      expect(new Set(groupKillsBeforeReap).size).toBeGreaterThanOrEqual(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
