// A caller's busy event loop never delays a timeout: the launcher enforces the deadline
// itself. While the main thread runs 2.5 s of synchronous work, a script with a 400 ms
// timeout that ignores SIGTERM (300 ms grace) is seen dead by an outside process within
// 1.2 s of its start, in both start methods.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { PYTHON, fixture, watchOutput } from './helpers.ts';

function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // synchronous work: no timer, no I/O callback runs meanwhile
  }
}

describe.each(['spawn', 'forkserver'] as const)('busy main thread (%s)', (startMethod) => {
  it('the timeout kills on time while the event loop is blocked for 2.5 s', async () => {
    const { onOutput, matched } = watchOutput(/started (\d+)\n/);
    const running = runScript(fixture('ignore_term.py'), {
      python: PYTHON,
      startMethod,
      timeoutMs: 400,
      killGraceMs: 300,
      onOutput,
    });
    const pid = Number((await matched)[1]);
    const watcher = spawn(PYTHON, [fixture('watch_death.py'), String(pid)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: watcher.stdout });
    const seen: string[] = [];
    lines.on('line', (line) => seen.push(line));
    await new Promise<void>((resolve) => lines.once('line', () => resolve())); // "watching"
    busyFor(2_500);
    const result = await running;
    await new Promise((resolve) => watcher.once('close', resolve));
    const deadAfter = Number(/^dead after (\d+) ms$/.exec(seen[1] ?? '')?.[1]);
    expect(result.status).toBe('timeout');
    expect(result.signal).toBe('SIGKILL');
    expect(deadAfter).toBeGreaterThanOrEqual(650);
    expect(deadAfter).toBeLessThanOrEqual(1_200);
  });
});
