// The HTML report's page data, without a browser: rows per worker and slot, one bar per
// attempt in row order, bounded lists that say how many more there are, failing tests and
// leftovers, the stacked memory peak named, and no run output able to close the page's script.
import { describe, expect, it } from 'vitest';
import { HtmlPageBuilder, type ReportedResult, type RunFacts } from '../../../src/cli/reports/html-page-builder.ts';
import { renderPage } from '../../../src/cli/reports/write-html-report.ts';
import { errorResult } from '../../../src/script/script-result.ts';

const T0 = Date.parse('2026-12-05T12:00:00.000Z');

function result(name: string, at: number, durationMs: number, more: Partial<ReportedResult> = {}): ReportedResult {
  const r = errorResult(`/repo/${name}`, 'unused', 'passed', T0 + at);
  return { ...r, error: null, exitCode: 0, durationMs, startTime: new Date(T0 + at).toISOString(), ...more };
}

const facts = (total: number): RunFacts => ({
  startTime: new Date(T0).toISOString(),
  durationMs: 1000,
  total,
  interrupted: false,
  halted: null,
  notStarted: [],
  jobs: 2,
  memoryBudgetMb: 512,
  ergateVersion: 'test',
});

describe('HtmlPageBuilder', () => {
  it('has a row per worker and slot, one bar per attempt, rows in order', () => {
    const b = new HtmlPageBuilder();
    b.add(result('b.py', 50, 100, { worker: 'h2:9', slot: 0 }));
    b.add(result('a.py', 0, 100, { worker: 'h1:7', slot: 1 }));
    b.add(
      result('c.py', 300, 100, {
        worker: 'h1:7',
        slot: 0,
        attempts: 2,
        failedAttempts: [
          { ...result('c.py', 100, 80), status: 'failed', error: 'exited with code 1', worker: 'h1:7', slot: 0 },
        ],
      }),
    );
    b.add(result('gone.py', 10, 0, { status: 'error', error: 'no such file' }));
    const page = b.build(facts(4));
    expect(page.lanes).toEqual(['h1:7 · slot 1', 'h1:7 · slot 2', 'h2:9 · slot 1', 'no slot']);
    expect(page.workers).toBe(2);
    expect(page.bars.lane).toEqual([0, 0, 1, 2, 3]);
    expect(page.bars.start).toEqual([100, 300, 0, 50, 10]);
    expect(page.bars.attempt).toEqual([1, 2, 1, 1, 1]);
    expect(page.strings[page.bars.reason[0]]).toBe('exited with code 1');
    expect(page.counts).toMatchObject({ total: 4, passed: 3, error: 1, attempts: 5, flaky: 1 });
    expect(page.flaky.map((f) => page.strings[page.scripts.name[f.script]])).toEqual(['/repo/c.py']);
  });

  it('keeps lists bounded, lists failing tests and leftovers, names the memory peak', () => {
    const b = new HtmlPageBuilder();
    for (let i = 0; i < 205; i++)
      b.add(result(`f${i}.py`, i, 5, { status: 'failed', error: 'boom', stdout: 'x'.repeat(100_000), slot: 0 }));
    b.add(
      result('t.py', 0, 400, {
        slot: 1,
        memorySamples: [
          [100, 50_000],
          [200, 90_000],
        ],
        peakTreeRssKb: 90_000,
        testCases: [
          { id: 't.py::ok', classname: 't', name: 'ok', status: 'passed', durationMs: 1, message: null },
          { id: 't.py::bad', classname: 't', name: 'bad', status: 'failed', durationMs: 2, message: 'assert 1 == 2' },
          { id: 't.py::xf', classname: 't', name: 'xf', status: 'xfailed', durationMs: 2, message: 'known' },
        ],
        leftovers: [{ pid: 4242, command: 'sleep 30' }],
      }),
    );
    b.add(result('u.py', 0, 400, { slot: 2, memorySamples: [[150, 30_000]], peakTreeRssKb: 30_000 }));
    const page = b.build(facts(207));
    expect(page.failures).toHaveLength(200);
    expect(page.moreFailures).toBe(5);
    expect(page.failures[0].stdout.length).toBeLessThanOrEqual(4096);
    expect(page.tests.map((t) => t.id)).toEqual(['t.py::bad']);
    expect(page.leftovers).toEqual([{ script: 205, pid: 4242, command: 'sleep 30' }]);
    expect(page.memory).toMatchObject({ peakTotalKb: 120_000, peakScript: 205 });
    expect(page.memory!.series.map((s) => s.label)).toEqual(['/repo/t.py', '/repo/u.py']);
  });

  it('inlines output that tries to close the script element as inert data', () => {
    const b = new HtmlPageBuilder();
    b.add(result('evil.py', 0, 5, { status: 'failed', stderr: '</script><script>alert(1)</script>' }));
    const html = renderPage(b.build(facts(1)));
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the page's own two script elements
    expect(html).toContain('\\u003c/script>\\u003cscript>alert(1)');
  });
});
