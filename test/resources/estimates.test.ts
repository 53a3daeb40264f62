import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/resources/history-store.ts';
import { MemoryAdmission, resolveMemoryBudgetMb } from '../../src/resources/memory-admission.ts';
import { RunEstimates, median } from '../../src/resources/run-estimates.ts';
import { orderScripts } from '../../src/resources/run-order.ts';
import { resolveTimeoutMs, timeoutFor } from '../../src/resources/timeout-policy.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function historyOf(runs: Array<[string, number, number | null, 'passed' | 'failed' | 'timeout']>): HistoryStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-estimates-'));
  dirs.push(dir);
  const store = new HistoryStore(path.join(dir, 'h.ndjson'));
  for (const [script, durationMs, peakKb, status] of runs) store.append({ script, durationMs, peakKb, status, at: 0 });
  return store;
}

describe('RunEstimates', () => {
  it('medians and predicted peaks: own history, else this run so far, else none', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const estimates = new RunEstimates(
      historyOf([
        ['/a.py', 100, 500, 'passed'],
        ['/a.py', 300, 900, 'passed'],
        ['/a.py', 200, null, 'failed'],
      ]),
    );
    expect(estimates.medianDurationMs('/a.py')).toBe(200);
    expect(estimates.predictedPeakKb('/a.py')).toBe(900);
    expect(estimates.lastStatus('/a.py')).toBe('failed');
    expect(estimates.predictedPeakKb('/new.py')).toBeNull();
    estimates.recordPeak(100);
    estimates.recordPeak(null);
    estimates.recordPeak(300);
    estimates.recordPeak(200);
    expect(estimates.predictedPeakKb('/new.py')).toBe(200);
    expect(estimates.predictedPeakKb('/a.py')).toBe(900);
    expect(new RunEstimates(null).medianDurationMs('/a.py')).toBeNull();
  });
});

describe('timeouts from history', () => {
  it('a percent of the script’s median, clamped, and the absolute one without history', () => {
    expect(resolveTimeoutMs(5000, 100, 60_000)).toBe(5000);
    expect(resolveTimeoutMs({ percentOfMedian: 300 }, 2000, 60_000)).toBe(6000);
    expect(resolveTimeoutMs({ percentOfMedian: 300 }, 10, 60_000)).toBe(1000); // default floor
    expect(resolveTimeoutMs({ percentOfMedian: 300, minMs: 50 }, 10, 60_000)).toBe(50);
    expect(resolveTimeoutMs({ percentOfMedian: 300, maxMs: 4000 }, 2000, 60_000)).toBe(4000);
    expect(resolveTimeoutMs({ percentOfMedian: 300 }, null, 60_000)).toBe(60_000);
    expect(resolveTimeoutMs({ percentOfMedian: 300, maxMs: 9000 }, null, 60_000)).toBe(9000);
    const estimates = new RunEstimates(
      historyOf([
        ['/a.py', 400, null, 'passed'],
        ['/a.py', 600, null, 'passed'],
      ]),
    );
    expect(timeoutFor({ percentOfMedian: 300, minMs: 100 }, '/a.py', estimates, 60_000)).toBe(1500);
    expect(timeoutFor({ percentOfMedian: 300, minMs: 100 }, '/b.py', estimates, 60_000)).toBe(60_000);
  });
});

describe('orderScripts', () => {
  const items = ['/a.py', '/b.py', '/c.py', '/d.py'].map((script) => ({ script }));
  const estimates = new RunEstimates(
    historyOf([
      ['/a.py', 100, null, 'passed'],
      ['/b.py', 3000, null, 'passed'],
      ['/c.py', 50, null, 'failed'],
      ['/d.py', 100, null, 'timeout'],
    ]),
  );
  const names = (list: Array<{ script: string }>) => list.map((i) => i.script);

  it('longest first, stable among equals; given; failed first', () => {
    expect(names(orderScripts(items, 'longest-first', estimates))).toEqual(['/b.py', '/a.py', '/d.py', '/c.py']);
    expect(names(orderScripts(items, 'given', estimates))).toEqual(['/a.py', '/b.py', '/c.py', '/d.py']);
    expect(names(orderScripts(items, 'failed-first', estimates))).toEqual(['/c.py', '/d.py', '/a.py', '/b.py']);
  });

  it('a script without history ranks as the median script', () => {
    const withNew = [...items, { script: '/new.py' }];
    expect(names(orderScripts(withNew, 'longest-first', estimates))).toEqual([
      '/b.py',
      '/a.py',
      '/d.py',
      '/new.py',
      '/c.py',
    ]);
  });
});

describe('MemoryAdmission', () => {
  it('holds back a script predicted not to fit and admits it when room frees', () => {
    const admission = new MemoryAdmission(100); // 102_400 KiB
    const a = {};
    const b = {};
    expect(admission.fits(60 * 1024)).toBe(true);
    admission.started(a, 60 * 1024);
    expect(admission.fits(60 * 1024)).toBe(false);
    expect(admission.fits(40 * 1024)).toBe(true);
    admission.started(b, null); // unpredicted: counts what it is sampled at
    expect(admission.fits(40 * 1024)).toBe(true);
    admission.sampled(b, 30 * 1024);
    expect(admission.usageKb).toBe(90 * 1024);
    expect(admission.fits(40 * 1024)).toBe(false);
    admission.sampled(a, 80 * 1024); // above its prediction: the sample counts
    expect(admission.usageKb).toBe(110 * 1024);
    expect(admission.fits(null)).toBe(false);
    admission.finished(a);
    expect(admission.fits(40 * 1024)).toBe(true);
  });

  it('a lone oversize script still starts', () => {
    const admission = new MemoryAdmission(10);
    expect(admission.fits(1024 * 1024)).toBe(true);
  });

  it("'auto' is a share of MemAvailable", () => {
    const budget = resolveMemoryBudgetMb('auto');
    expect(budget).toBeGreaterThan(0);
    expect(budget).toBeLessThan(os.totalmem() / 1024 / 1024);
    expect(resolveMemoryBudgetMb(512)).toBe(512);
  });
});
