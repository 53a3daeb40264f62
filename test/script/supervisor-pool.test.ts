// SupervisorPool's crash-loop breaker: supervisor threads that fail while starting (no child
// ever started) are retried only CRASH_LOOP_LIMIT (5) times in a row; then run() answers
// 'error' at once without starting threads. Script failures and threads that die after
// their child started are not start-up failures and never trip it. Thread starts are
// counted by the fixture itself (test/fixtures/crashing-supervisor.mjs), one line per load.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolvePython } from '../../src/script/python.ts';
import { resolveScriptSpec } from '../../src/script/resolve-spec.ts';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import { parseRunScriptOptions } from '../../src/script/validate-options.ts';
import type { ScriptSpec } from '../../src/script/types.ts';
import { PYTHON, fixture, processState, waitUntilGone, watchOutput } from './helpers.ts';

const CRASHING_ENTRY = new URL('../fixtures/crashing-supervisor.mjs', import.meta.url).href;
const LIMIT = 5;
const START_FAILURE = /^supervisor thread died: supervisor refused to start: broken install$/;
const BROKEN = /^supervisor threads keep failing to start \(5 times in a row\): supervisor refused to start: broken install$/;

let dir: string;
let control: string;
let log: string;
const pools: SupervisorPool[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-supervisor-pool-'));
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
  it(`gives 'error' for each start-up failure, trips after ${LIMIT} in a row, then answers at once`, async () => {
    const pool = makePool();
    const spec = await specFor('hello.py');
    for (let attempt = 1; attempt <= LIMIT; attempt++) {
      const result = await pool.run(spec);
      expect(result).toMatchObject({ status: 'error', pid: null });
      expect(result.error).toMatch(START_FAILURE);
      expect(threadStarts()).toBe(attempt);
    }
    // Tripped: no thread is started any more, and the answer says why in plain words.
    for (let again = 0; again < 3; again++) {
      const result = await pool.run(spec);
      expect(result.status).toBe('error');
      expect(result.error).toMatch(BROKEN);
      expect(result.durationMs).toBeLessThan(1_000);
    }
    expect(threadStarts()).toBe(LIMIT);
    expect(pool.threads).toHaveLength(0);
  });

  it('bounds thread starts when many runs are submitted at once, and every run resolves', async () => {
    const pool = makePool(2);
    const spec = await specFor('hello.py');
    const results = await Promise.all(Array.from({ length: 20 }, () => pool.run(spec)));
    expect(results).toHaveLength(20);
    for (const result of results) {
      expect(result.status).toBe('error');
      expect(result.error).toMatch(new RegExp(`${START_FAILURE.source}|${BROKEN.source}`));
    }
    const starts = threadStarts();
    expect(starts).toBeGreaterThanOrEqual(LIMIT);
    expect(starts).toBeLessThanOrEqual(20);
    // Once tripped, a later run starts nothing.
    expect((await pool.run(spec)).error).toMatch(BROKEN);
    expect(threadStarts()).toBe(starts);
  });

  it('close() after the breaker tripped resolves, and runs after it are cancelled', async () => {
    const pool = makePool();
    const spec = await specFor('hello.py');
    for (let attempt = 1; attempt <= LIMIT; attempt++) await pool.run(spec);
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
  });

  it(`a success resets the count: ${LIMIT - 1} start-up failures, a pass, ${LIMIT - 1} more do not trip it`, async () => {
    const pool = makePool();
    const hello = await specFor('hello.py');
    const failStarts = async () => {
      writeFileSync(control, 'crash');
      for (let i = 0; i < LIMIT - 1; i++) expect((await pool.run(hello)).error).toMatch(START_FAILURE);
    };
    await failStarts();
    writeFileSync(control, 'healthy');
    expect(await pool.run(hello)).toMatchObject({ status: 'passed' });
    // The healthy thread stays warm; terminate it so the next run has to start a thread.
    await Promise.all(pool.threads.map((thread) => thread.terminate()));
    await failStarts();
    writeFileSync(control, 'healthy');
    expect(await pool.run(hello)).toMatchObject({ status: 'passed' });
  });

  it('a thread that dies after its child started is not a start-up failure', async () => {
    writeFileSync(control, 'healthy');
    const pool = makePool();
    const python = await resolvePython(PYTHON);
    const hello = await specFor('hello.py');
    // Four start-up failures first, so one more counted failure would trip the breaker.
    writeFileSync(control, 'crash');
    for (let i = 0; i < LIMIT - 1; i++) expect((await pool.run(hello)).error).toMatch(START_FAILURE);
    writeFileSync(control, 'healthy');
    for (let i = 0; i < LIMIT + 1; i++) {
      const { onOutput, matched } = watchOutput(/started (\d+) (\d+)\n/);
      const running = pool.run(resolveScriptSpec(fixture('grandchild.py'), parseRunScriptOptions({ onOutput }), python), { onOutput });
      const [, pid, grandchild] = await matched;
      await pool.threads[0].terminate();
      const result = await running;
      expect(result).toMatchObject({ status: 'error', pid: Number(pid) });
      expect(result.error).toMatch(/supervisor thread died/);
      await waitUntilGone(Number(grandchild));
      expect(['Z', null]).toContain(processState(Number(pid)));
    }
    expect(await pool.run(hello)).toMatchObject({ status: 'passed' });
  });
});

afterAll(() => {
  delete process.env.ERGATE_TEST_SUPERVISOR_CONTROL;
  delete process.env.ERGATE_TEST_SUPERVISOR_LOG;
});
