// ParallelRunner with the resource options of issue 18: memory admission, percent timeouts
// and order from the run history, history written by runs.
import fs from 'node:fs';
import path from 'node:path';
import mittImport from 'mitt';
import { afterEach, describe, expect, it } from 'vitest';
import type { ParallelEvents } from '../../src/parallel/events.ts';
import { ParallelRunner } from '../../src/parallel/parallel-runner.ts';
import type { ParallelRunnerOptions } from '../../src/parallel/runner-options.ts';
import { HistoryStore } from '../../src/resources/history-store.ts';
import { PYTHON, isGoneSoon, makeTempDir, waitFor } from './helpers.ts';
import { fixture } from '../script/helpers.ts';

const mitt = mittImport as unknown as typeof mittImport.default;
const dirs: string[] = [];
const runners: ParallelRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes the scripts into a fresh folder; returns their absolute paths and the folder. */
function scripts(files: Record<string, string>): { dir: string; paths: Record<string, string> } {
  const dir = makeTempDir('ergate-resources-');
  dirs.push(dir);
  const paths: Record<string, string> = {};
  for (const [name, code] of Object.entries(files)) {
    paths[name] = path.join(dir, name);
    fs.writeFileSync(paths[name], code);
  }
  return { dir, paths };
}

/** Runs until `release` exists in its folder. */
const HOLD =
  'import os, time\nwhile not os.path.exists(os.path.join(os.path.dirname(__file__), "release")):\n    time.sleep(0.01)\n';

function historyWith(file: string, runs: Array<[string, number, number | null]>): void {
  const store = new HistoryStore(file);
  for (const [script, durationMs, peakKb] of runs)
    store.append({ script, durationMs, peakKb, status: 'passed', at: 0 });
}

function eventLog(bus: ReturnType<typeof mitt<ParallelEvents>>): string[] {
  const log: string[] = [];
  bus.on('script.started', (e) => log.push(`started ${e.name}`));
  bus.on('script.finished', (e) => log.push(`finished ${e.name}`));
  bus.on('script.sample', (e) => log.push(`sample ${e.name}`));
  return log;
}

/**
 * The scripts in a fresh folder, a history recording each one's earlier runs as
 * [durationMs, peakKb] pairs, and a runner on that history (2 wide unless options say) whose
 * events are logged.
 */
function withHistory(
  files: Record<string, string>,
  recorded: Record<string, Array<[durationMs: number, peakKb: number | null]>>,
  options: ParallelRunnerOptions = {},
) {
  const { dir, paths } = scripts(files);
  const history = path.join(dir, 'history.ndjson');
  historyWith(
    history,
    Object.entries(recorded).flatMap(([name, runs]) =>
      runs.map(([durationMs, peakKb]): [string, number, number | null] => [paths[name], durationMs, peakKb]),
    ),
  );
  const bus = mitt<ParallelEvents>();
  const log = eventLog(bus);
  const runner = new ParallelRunner({ maxWorkers: 2, python: PYTHON, eventBus: bus, history, ...options });
  runners.push(runner);
  return { dir, paths, history, log, runner };
}

describe('memory admission', () => {
  it('holds back a script predicted not to fit and starts it when room frees', async () => {
    const { dir, paths, log, runner } = withHistory(
      { 'a.py': HOLD, 'b.py': 'pass\n' },
      { 'a.py': [[100, 60 * 1024]], 'b.py': [[100, 60 * 1024]] },
      { memoryBudgetMb: 100, sampleMs: 50 },
    );
    const run = runner.runScripts([paths['a.py'], paths['b.py']]);
    // Samples of a re-run the admission step; b must still wait while a holds its share.
    await waitFor(() => log.filter((l) => l === 'sample a.py').length >= 3, 'three samples of a.py');
    expect(log).not.toContain('started b.py');
    fs.writeFileSync(path.join(dir, 'release'), '');
    const result = await run;
    expect(result.passed).toBe(2);
    expect(log.indexOf('started b.py')).toBeGreaterThan(log.indexOf('finished a.py'));
  });

  it('without a budget the same scripts run side by side', async () => {
    const { dir, paths, log, runner } = withHistory(
      { 'a.py': HOLD, 'b.py': 'pass\n' },
      { 'a.py': [[100, 60 * 1024]], 'b.py': [[100, 60 * 1024]] },
    );
    const run = runner.runScripts([paths['a.py'], paths['b.py']]);
    await waitFor(() => log.includes('finished b.py'), 'b.py to finish while a.py runs');
    fs.writeFileSync(path.join(dir, 'release'), '');
    expect((await run).passed).toBe(2);
  });

  it('a lone oversize script still runs, and two of them run one after the other', async () => {
    const { paths, log, runner } = withHistory(
      { 'big1.py': 'pass\n', 'big2.py': 'pass\n' },
      { 'big1.py': [[100, 500 * 1024]], 'big2.py': [[100, 500 * 1024]] },
      { memoryBudgetMb: 10 },
    );
    const result = await runner.runScripts([paths['big1.py'], paths['big2.py']]);
    expect(result.passed).toBe(2);
    expect(log.filter((l) => !l.startsWith('sample'))).toEqual([
      'started big1.py',
      'finished big1.py',
      'started big2.py',
      'finished big2.py',
    ]);
  });

  it('refuses a bad budget or a cap without sampling, naming the option', () => {
    expect(() => new ParallelRunner({ memoryBudgetMb: -1 })).toThrow(/memoryBudgetMb: expected a positive/);
    expect(() => new ParallelRunner({ memoryBudgetMb: 'lots' as never })).toThrow(/memoryBudgetMb/);
    expect(() => new ParallelRunner({ treeMemoryLimitMb: 100, sampleMs: 0 })).toThrow(
      /treeMemoryLimitMb: needs sampling, but sampleMs is 0/,
    );
    expect(() => new ParallelRunner({ order: 'random' as never })).toThrow(
      /order: expected 'given', 'longest-first', 'failed-first'/,
    );
  });
});

describe.each(['spawn', 'forkserver'] as const)('tree memory cap (%s)', (startMethod) => {
  it('kills a script whose child processes allocate past it, though each stays under RLIMIT_DATA', async () => {
    const pidDir = makeTempDir('ergate-cap-');
    dirs.push(pidDir);
    const bus = mitt<ParallelEvents>();
    const samples: Array<ParallelEvents['script.sample']> = [];
    bus.on('script.sample', (s) => samples.push(s));
    const runner = new ParallelRunner({
      python: PYTHON,
      eventBus: bus,
      memoryLimitMb: 100,
      treeMemoryLimitMb: 120,
      sampleMs: 100,
      startMethod,
    });
    runners.push(runner);
    const script = fixture('tree_allocates.py');
    const result = await runner.runScripts([script], {
      configs: { 'tree_allocates.py': { args: ['3', '60'] } },
      env: { PID_DIR: pidDir },
    });
    const [r] = result.results;
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/^memory limit of 120 MiB exceeded by the process tree \(peak \d+ MiB\)$/);
    const peakMb = Number(/peak (\d+) MiB/.exec(r.error!)![1]);
    expect(peakMb).toBeGreaterThan(120);
    expect(r.peakTreeRssKb).toBeGreaterThan(120 * 1024);
    // Samples go on while the tree dies: the result's peak is at least the one that tripped the cap.
    expect(Math.ceil(r.peakTreeRssKb! / 1024)).toBeGreaterThanOrEqual(peakMb);
    // Samples name the script and count its processes; every child of the tree is dead.
    expect(samples.at(-1)).toMatchObject({
      name: 'tree_allocates.py',
      pid: r.pid,
      processes: expect.any(Number) as number,
    });
    const kids = fs.readdirSync(pidDir).map(Number);
    expect(kids.length).toBeGreaterThan(0);
    for (const pid of [r.pid!, ...kids]) expect(await isGoneSoon(pid)).toBe(true);
  });

  it('RLIMIT_DATA alone lets the same tree through', async () => {
    const runner = new ParallelRunner({ python: PYTHON, memoryLimitMb: 100, startMethod });
    runners.push(runner);
    const result = await runner.runScripts([fixture('tree_allocates.py')], {
      configs: { 'tree_allocates.py': { args: ['3', '60', 'exit'] } },
    });
    expect(result.results[0]).toMatchObject({ status: 'passed', stdout: 'allocated 180\n' });
  });
});

describe('history', () => {
  it('percent timeouts use each script’s median and fall back to the absolute one', async () => {
    const forever = 'import time\ntime.sleep(3600)\n';
    const { paths, runner } = withHistory(
      { 'known.py': forever, 'new.py': forever },
      {
        'known.py': [
          [100, null],
          [200, null],
          [300, null],
        ],
      },
    );
    const result = await runner.runScripts([paths['known.py'], paths['new.py']], {
      timeoutMs: { percentOfMedian: 300, minMs: 100, maxMs: 1500 },
    });
    const byName = Object.fromEntries(result.results.map((r) => [r.name, r]));
    expect(byName['known.py'].status).toBe('timeout');
    expect(byName['known.py'].error).toBe('timed out after 600 ms');
    expect(byName['new.py'].error).toBe('timed out after 1500 ms');
  });

  it('longest-first starts the script with the longest median first; a run records its scripts', async () => {
    const { paths, history, log, runner } = withHistory(
      { 'a.py': 'pass\n', 'b.py': 'pass\n', 'long.py': 'pass\n' },
      { 'a.py': [[100, null]], 'b.py': [[50, null]], 'long.py': [[3000, null]] },
      { maxWorkers: 1, order: 'longest-first' },
    );
    const result = await runner.runScripts([paths['a.py'], paths['b.py'], paths['long.py']]);
    expect(log.filter((l) => l.startsWith('started'))).toEqual(['started long.py', 'started a.py', 'started b.py']);
    // Results keep the input order whatever the start order.
    expect(result.results.map((r) => r.name)).toEqual(['a.py', 'b.py', 'long.py']);
    expect(new HistoryStore(history).runs(paths['long.py'])).toHaveLength(2);
  });

  it('a corrupt history file is ignored with one warning, and the run goes on', async () => {
    const { dir, paths } = scripts({ 'a.py': 'pass\n' });
    const history = path.join(dir, 'history.ndjson');
    fs.writeFileSync(history, '\u0000garbage\nnot json either\n');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const runner = new ParallelRunner({ python: PYTHON, history, order: 'longest-first', memoryBudgetMb: 100 });
      runners.push(runner);
      const result = await runner.runScripts([paths['a.py']], { timeoutMs: { percentOfMedian: 300 } });
      expect(result.passed).toBe(1);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([`ignored 2 corrupt lines of the run history ${history}`]);
    expect(
      new HistoryStore(history, { warn: () => expect.fail('healed file still corrupt') }).runs(paths['a.py']),
    ).toHaveLength(1);
  });
});
