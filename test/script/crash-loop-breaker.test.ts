// SupervisorPool's crash-loop breaker: a supervisor thread that fails while starting is
// replaced transparently, but only CRASH_LOOP_LIMIT (5) times in a row; then every waiting
// run, and every later one, gets 'error' at once and no thread is started any more. Script
// failures and threads that die after their child started are not start-up failures and
// never trip it. Thread starts are counted by the fixture itself
// (test/fixtures/crashing-supervisor.mjs, loaded via the test-only `workerEntryForTests`).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolvePython } from '../../src/script/python.ts';
import { resolveScriptSpec } from '../../src/script/resolve-spec.ts';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import { parseRunScriptOptions } from '../../src/script/validate-options.ts';
import type { ScriptSpec } from '../../src/script/types.ts';
import { PYTHON, fixture, processState, waitUntilGone, watchOutput } from './helpers.ts';

const CRASHING_ENTRY = new URL('../fixtures/crashing-supervisor.mjs', import.meta.url).href;
const LIMIT = 5;
const BROKEN = /^supervisor threads keep failing to start \(5 times in a row\): supervisor refused to start: broken install$/;

let dir: string;
let control: string;
let log: string;
const pools: SupervisorPool[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-crash-loop-'));
  control = path.join(dir, 'control');
  log = path.join(dir, 'starts.log');
  writeFileSync(control, 'crash');
  writeFileSync(log, '');
  // Worker threads copy process.env when they start; the pool starts them lazily, in run().
  process.env.ERGATE_TEST_SUPERVISOR_CONTROL = control;
  process.env.ERGATE_TEST_SUPERVISOR_LOG = log;
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  delete process.env.ERGATE_TEST_SUPERVISOR_CONTROL;
  delete process.env.ERGATE_TEST_SUPERVISOR_LOG;
  rmSync(dir, { recursive: true, force: true });
});

function makePool(size = 1): SupervisorPool {
  const pool = new SupervisorPool({ size, workerEntryForTests: CRASHING_ENTRY });
  pools.push(pool);
  return pool;
}

function threadStarts(): number {
  return readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
}

async function specFor(name: string): Promise<ScriptSpec> {
  return resolveScriptSpec(fixture(name), parseRunScriptOptions({}), await resolvePython(PYTHON));
}

describe('crash-loop breaker', () => {
  it(`retries a thread that fails to start, then after ${LIMIT} in a row gives 'error' and starts no more`, async () => {
    const pool = makePool();
    const spec = await specFor('hello.py');
    const first = await pool.run(spec);
    expect(first).toMatchObject({ status: 'error', pid: null });
    expect(first.error).toMatch(BROKEN);
    expect(threadStarts()).toBe(LIMIT);
    // Tripped: no thread is started any more, and the answer comes at once.
    for (let again = 0; again < 3; again++) {
      const result = await pool.run(spec);
      expect(result).toMatchObject({ status: 'error', pid: null });
      expect(result.error).toMatch(BROKEN);
      expect(result.durationMs).toBeLessThan(1_000);
    }
    expect(threadStarts()).toBe(LIMIT);
    expect(pool.threads).toHaveLength(0);
  });

  it('bounds thread starts when many runs are submitted at once, and every run resolves', async () => {
    const size = 2;
    const pool = makePool(size);
    const spec = await specFor('hello.py');
    const results = await Promise.all(Array.from({ length: 20 }, () => pool.run(spec)));
    expect(results).toHaveLength(20);
    for (const result of results) expect(result).toMatchObject({ status: 'error', pid: null, error: expect.stringMatching(BROKEN) });
    // The limit, plus at most the other threads already starting when it tripped.
    const starts = threadStarts();
    expect(starts).toBeGreaterThanOrEqual(LIMIT);
    expect(starts).toBeLessThanOrEqual(LIMIT + size - 1);
    expect((await pool.run(spec)).error).toMatch(BROKEN);
    expect(threadStarts()).toBe(starts);
  });

  it('close() after the breaker tripped resolves, and runs after it are cancelled', async () => {
    const pool = makePool();
    const spec = await specFor('hello.py');
    expect((await pool.run(spec)).error).toMatch(BROKEN);
    await pool.close();
    expect(await pool.run(spec)).toMatchObject({ status: 'cancelled' });
  });
});

describe('breaker stays closed on a healthy pool', () => {
  it('failing scripts are results, not start-up failures', async () => {
    writeFileSync(control, 'healthy');
    const pool = makePool();
    const failing = await specFor('raise_error.py');
    for (let i = 0; i < LIMIT + 2; i++) {
      const result = await pool.run(failing);
      expect(result.status).toBe('failed');
      expect(result.pid).toEqual(expect.any(Number));
    }
    expect(await pool.run(await specFor('hello.py'))).toMatchObject({ status: 'passed' });
    expect(threadStarts()).toBe(1);
  });

  it(`counts only failures in a row: ${LIMIT - 1} start-up failures, a pass, ${LIMIT - 1} more, a pass`, async () => {
    const pool = makePool();
    const hello = await specFor('hello.py');
    writeFileSync(control, String(LIMIT - 1)); // starts 1-4 fail, the 5th works
    expect(await pool.run(hello)).toMatchObject({ status: 'passed' });
    expect(threadStarts()).toBe(LIMIT);
    // The healthy thread stays warm; end it so the next run has to start threads again.
    await Promise.all(pool.threads.map((thread) => thread.terminate()));
    writeFileSync(control, String(2 * LIMIT - 1)); // starts 6-9 fail, the 10th works
    expect(await pool.run(hello)).toMatchObject({ status: 'passed' });
    expect(threadStarts()).toBe(2 * LIMIT);
  });

  it('threads that die after their child started are not start-up failures', async () => {
    writeFileSync(control, 'healthy');
    const pool = makePool();
    const python = await resolvePython(PYTHON);
    for (let i = 0; i < LIMIT + 1; i++) {
      const { onOutput, matched } = watchOutput(/started (\d+) (\d+)\n/);
      const running = pool.run(resolveScriptSpec(fixture('grandchild.py'), parseRunScriptOptions({ onOutput }), python), { onOutput });
      const [, pid, grandchild] = await matched;
      expect(pool.threads).toHaveLength(1);
      await pool.threads[0].terminate();
      const result = await running;
      expect(result).toMatchObject({ status: 'error', pid: Number(pid) });
      expect(result.error).toMatch(/^supervisor thread died/);
      await waitUntilGone(Number(grandchild));
      expect(['Z', null]).toContain(processState(Number(pid)));
    }
    expect(await pool.run(await specFor('hello.py'))).toMatchObject({ status: 'passed' });
    expect(threadStarts()).toBe(LIMIT + 2);
  });
});
