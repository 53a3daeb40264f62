// `node --import tsx bench/probes/html-report-scale.ts [N]`: what the HTML report costs for a
// run of N scripts (default 100,000). Writes a synthetic JSON report shaped like a real one
// (32 slots, 2% failing with output tails, 1% retried, 64 memory points a script), builds the
// page from it (renderHtmlReport, as `ergate report` does), and loads the page in headless
// chromium: the page's own render time (data-render-ms), chromium's wall time, and the floor
// (chromium's wall time for an empty page in the same run). Prints one JSON line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderHtmlReport } from '../../src/cli/reports/write-html-report.ts';
import type { JsonReport } from '../../src/cli/reports/write-json-report.ts';
import type { ScriptResult } from '../../src/script/types.ts';
import { loadInChromium } from '../../test/cli/reports/headless-chromium.ts';

const n = Number(process.argv[2] ?? 100_000);
const SLOTS = 32;
const screenshot = process.argv[3];

/** A deterministic pseudo-random sequence (the same report every run). */
let seed = 42;
const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

function synthesize(): JsonReport {
  const began = Date.parse('2026-12-05T12:00:00.000Z');
  const free = Array.from({ length: SLOTS }, () => began);
  const results: JsonReport['results'] = [];
  const counts = { passed: 0, failed: 0, timeout: 0 };
  for (let i = 0; i < n; i++) {
    const slot = i % SLOTS;
    const durationMs = Math.round(40 + 400 * random() ** 3 + (random() < 0.002 ? 20_000 : 0));
    const roll = random();
    const status: ScriptResult['status'] = roll < 0.015 ? 'failed' : roll < 0.02 ? 'timeout' : 'passed';
    const peak = Math.round(9000 + 200_000 * random() ** 4);
    const points = Math.min(64, Math.max(1, Math.floor(durationMs / 100)));
    const memorySamples = Array.from({ length: points }, (_, k): [number, number] => [
      Math.round((k * durationMs) / points),
      Math.round((peak * (k + 1)) / points),
    ]);
    const failedAttempts = random() < 0.01 ? [attempt(free, slot, durationMs)] : undefined;
    const start = free[slot];
    free[slot] = start + durationMs + Math.round(2 + 6 * random());
    const failing = status !== 'passed';
    counts[status] += 1;
    results.push({
      script: `/repo/tests/pkg_${String(i % 400).padStart(3, '0')}/test_case_${String(i).padStart(6, '0')}.py`,
      name: `test_case_${String(i).padStart(6, '0')}.py`,
      subdirectory: `pkg_${String(i % 400).padStart(3, '0')}`,
      status,
      exitCode: status === 'failed' ? 1 : status === 'passed' ? 0 : null,
      signal: status === 'timeout' ? 'SIGTERM' : null,
      stdout: failing ? 'collecting...\n'.repeat(20) : '',
      stderr: failing ? 'Traceback (most recent call last):\n  File "x.py", line 3\nAssertionError: 1 != 2\n' : '',
      error:
        status === 'failed'
          ? 'exited with code 1 (expected 0)'
          : status === 'timeout'
            ? 'timed out after 30000 ms'
            : null,
      startTime: new Date(start).toISOString(),
      endTime: new Date(start + durationMs).toISOString(),
      durationMs,
      peakTreeRssKb: peak,
      memorySamples,
      attempts: failedAttempts ? 2 : 1,
      ...(failedAttempts && { failedAttempts }),
      slot,
      pid: 10_000 + i,
      flaky: failedAttempts !== undefined && status === 'passed',
    });
  }
  const durationMs = Math.max(...free) - began;
  return {
    startTime: new Date(began).toISOString(),
    results,
    notStarted: [],
    total: n,
    ...counts,
    skipped: 0,
    durationMs,
    success: counts.failed + counts.timeout === 0,
    flaky: results.filter((r) => r.flaky).length,
    interrupted: false,
    halted: null,
    jobs: SLOTS,
    memoryBudgetMb: 4096,
  };
}

function attempt(
  free: number[],
  slot: number,
  durationMs: number,
): NonNullable<ScriptResult['failedAttempts']>[number] {
  const start = free[slot];
  free[slot] = start + durationMs + 3;
  return {
    status: 'failed',
    exitCode: 1,
    signal: null,
    stdout: '',
    stderr: 'flaky connection\n',
    error: 'exited with code 1 (expected 0)',
    startTime: new Date(start).toISOString(),
    durationMs,
    slot,
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-html-scale-'));
try {
  const report = synthesize();
  const jsonFile = path.join(dir, 'run.json');
  fs.writeFileSync(jsonFile, JSON.stringify(report));
  const built = performance.now();
  const page = renderHtmlReport(JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as JsonReport);
  const buildMs = performance.now() - built;
  const htmlFile = path.join(dir, 'run.html');
  fs.writeFileSync(htmlFile, page);
  const emptyFile = path.join(dir, 'empty.html');
  fs.writeFileSync(emptyFile, '<!doctype html><title>empty</title><body data-ready="1"></body>');
  const floor = await loadInChromium(emptyFile);
  const loaded = await loadInChromium(htmlFile, { screenshot, width: 1400, height: 1400 });
  const renderMs = Number(/data-render-ms="(\d+)"/.exec(loaded.dom)?.[1] ?? NaN);
  const attempts = report.results.reduce((sum, r) => sum + (r.attempts ?? 1), 0);
  console.log(
    JSON.stringify({
      scripts: n,
      attempts,
      slots: SLOTS,
      jsonMib: +(fs.statSync(jsonFile).size / 2 ** 20).toFixed(1),
      htmlMib: +(page.length / 2 ** 20).toFixed(2),
      buildMs: Math.round(buildMs),
      pageRenderMs: renderMs,
      chromiumWallMs: Math.round(loaded.ms),
      emptyPageWallMs: Math.round(floor.ms),
      wallOverEmpty: +(loaded.ms / floor.ms).toFixed(2),
      consoleLines: loaded.consoleLines.length,
      bars: /data-timeline-bars="(\d+)"/.exec(loaded.dom)?.[1],
      drawnAtFit: /data-timeline-drawn="(\d+)"/.exec(loaded.dom)?.[1],
      load: os.loadavg().map((l) => +l.toFixed(2)),
    }),
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
