// What the launcher reads for a script before its deadline exists never blocks it or bloats
// it: a FIFO named x.py is refused at once (a sibling still times out on time), a script over
// 256 KiB is read and compiled by its own fork, and a request over 16 MiB is refused in Node.
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
  ftruncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import type { ScriptSpec } from '../../src/script/types.ts';
import { specFor as baseSpec } from './helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ergate-requests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** kB of the largest resident set the launcher loop (the keeper's child) has had. */
function loopPeakKb(keeper: number): number {
  const [loop] = readFileSync(`/proc/${keeper}/task/${keeper}/children`, 'utf8').trim().split(' ');
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${loop}/status`, 'utf8'))![1]);
}

describe.each(['spawn', 'forkserver'] as const)('what a launcher reads for a script (%s)', (startMethod) => {
  let pool: SupervisorPool;
  beforeEach(() => {
    pool = new SupervisorPool({ size: 2, launchers: 1 });
  });
  afterEach(async () => {
    await pool.close();
  });
  const specFor = (name: string, overrides: Partial<ScriptSpec> = {}) => baseSpec(name, { startMethod, ...overrides });

  it('refuses a FIFO named x.py at once, and a sibling on the same launcher times out on time', async () => {
    const fifo = path.join(dir, `${startMethod}-x.py`);
    execFileSync('mkfifo', [fifo]);
    const sibling = pool.run(specFor('forever.py', { timeoutMs: 1_000 }));
    const result = await pool.run(specFor('forever.py', { script: fifo }));
    expect(result).toMatchObject({
      status: 'error',
      error: `script is not a regular file (a FIFO, a device or a socket): ${fifo}`,
    });
    expect((await sibling).status).toBe('timeout');
  });

  it('refuses a request over 16 MiB before the launcher, and passes 8 MiB of arguments to a fork', async () => {
    const huge = await pool.run(specFor('argv-size.py', { args: ['x'.repeat(17 * 2 ** 20)] }));
    expect(huge).toMatchObject({ status: 'error', pid: null });
    expect(huge.error).toBe(
      'could not start the script: its arguments and environment take 17.0 MiB, more than the 16.0 MiB a script can be sent',
    );
    if (startMethod === 'forkserver') {
      const big = await pool.run(specFor('argv-size.py', { args: ['y'.repeat(8 * 2 ** 20)] }));
      expect([big.status, big.stdout]).toEqual(['passed', `${8 * 2 ** 20}\n`]);
    }
  });
});

describe('a big script in forkserver mode', () => {
  const pool = new SupervisorPool({ size: 1 });
  afterAll(() => pool.close());

  it('is read and compiled by its own fork: the launcher never holds it', async () => {
    const script = path.join(dir, 'big.py');
    const source = `print("big", len(open(__file__).read()))\n${'#'.repeat(300_000)}\n`;
    writeFileSync(script, source);
    const big = await pool.run(baseSpec('forever.py', { script }));
    expect([big.status, big.stdout]).toEqual(['passed', `big ${source.length}\n`]);
    // 64 MiB of NUL bytes (sparse): python refuses it, after its fork read it all.
    const sparse = path.join(dir, 'sparse.py');
    const fd = openSync(sparse, 'w');
    writeSync(fd, 'x = 1\n');
    ftruncateSync(fd, 64 * 2 ** 20);
    closeSync(fd);
    const result = await pool.run(baseSpec('forever.py', { script: sparse }));
    expect(result.status).toBe('failed');
    expect(result.stderr).toMatch(/null bytes/);
    expect(loopPeakKb(pool.launcherPids[0])).toBeLessThan(40 * 1024);
  });
});
