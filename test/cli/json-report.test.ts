// The --json report is written incrementally (one JSON.stringify per result, counts at the
// end); parsed, it must equal the report built in memory in one piece from the same run:
// same counts, same results (unicode, invalid UTF-8, quotes and newlines included), same
// list of scripts that never started. Also with no result at all (an interrupted run).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParallelRunner } from '../../src/index.ts';
import { ReportFile } from '../../src/cli/reports/report-file.ts';
import type { RunOutcome } from '../../src/cli/reports/run-report.ts';
import { JsonReportWriter } from '../../src/cli/reports/write-json-report.ts';
import type { ScriptResult } from '../../src/script/types.ts';
import { PYTHON, fixture, makeTempDir } from '../parallel/helpers.ts';
import { ROOT } from './run-cli.ts';

const shared = (name: string): string => path.join(ROOT, 'test', 'fixtures', name);

function writeIncrementally(results: ScriptResult[], outcome: RunOutcome, startTime: string): unknown {
  const file = path.join(makeTempDir(), 'report.json');
  const writer = new JsonReportWriter(new ReportFile(file, 'file'), startTime);
  for (const result of results) writer.add(result);
  void writer.finish(outcome); // a 'file' report is in place when finish returns
  return JSON.parse(readFileSync(file, 'utf8'));
}

describe('the incremental --json report', () => {
  it('parses and equals the in-memory report of the same run', async () => {
    await using runner = new ParallelRunner({ python: PYTHON, maxWorkers: 2 });
    const scripts = [fixture('pass.py'), fixture('fail.py'), shared('unicode_out.py'), shared('invalid_utf8.py')];
    const run = await runner.runScripts(scripts);
    expect(run.results).toHaveLength(4);
    const neverStarted = path.join(makeTempDir(), 'never_started.py');
    const counts = { ...run.toJSON(), total: 5, skipped: run.skipped + 1 };
    const startTime = new Date().toISOString();
    const notStarted = [
      { script: neverStarted, name: 'never_started.py', subdirectory: path.basename(path.dirname(neverStarted)) },
    ];
    const parsed = writeIncrementally(
      run.results,
      { counts, interrupted: false, notStarted, halted: null, flaky: 0 },
      startTime,
    );
    // What the report used to be: one JSON.stringify of the whole thing.
    const results = run.results.map((r) => ({ ...r, flaky: false }));
    const inMemory = {
      ...counts,
      interrupted: false,
      halted: null,
      flaky: 0,
      startTime,
      results,
      notStarted: [neverStarted],
    };
    expect(parsed).toEqual(JSON.parse(JSON.stringify(inMemory)));
  }, 60_000);

  it('with no result at all it is still valid JSON; an interrupted run is not a success', () => {
    const counts = { total: 1, passed: 0, failed: 0, timeout: 0, skipped: 1, durationMs: 3, success: true };
    const notStarted = [{ script: '/x/a.py', name: 'a.py', subdirectory: 'x' }];
    const parsed = writeIncrementally(
      [],
      { counts, interrupted: true, notStarted, halted: null, flaky: 0 },
      '2026-01-01T00:00:00.000Z',
    );
    expect(parsed).toEqual({
      ...counts,
      success: false,
      interrupted: true,
      halted: null,
      flaky: 0,
      startTime: '2026-01-01T00:00:00.000Z',
      results: [],
      notStarted: ['/x/a.py'],
    });
  });
});
