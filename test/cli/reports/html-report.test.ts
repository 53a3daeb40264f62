// Issue 25: `ergate run --html` writes one self-contained page from a real run (passes, a
// failure, a timeout, a flaky script retried, a memory budget, a leftover process) that a real
// browser (headless chromium) opens with no console error, one timeline bar per attempt and
// the JSON report's counts; `ergate report run.json --html` rebuilds the same page. The
// screenshot lands in test-output/html-report/ for people to look at.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, isGoneSoon, makeTempDir } from '../../parallel/helpers.ts';
import { ROOT, runCli, writeTree } from '../run-cli.ts';
import { loadInChromium } from './headless-chromium.ts';

const OUTPUT = path.join(ROOT, 'test-output', 'html-report');

const holds = (mb: number, seconds: number): string =>
  `import time\nx = bytearray(${mb} * 1024 * 1024)\nfor i in range(0, len(x), 4096): x[i] = 1\ntime.sleep(${seconds})\nprint("done")\n`;

const SCRIPTS = {
  'api/test_users.py': holds(20, 0.6),
  'api/test_orders.py': holds(8, 0.3),
  'api/test_search.py': holds(12, 0.4),
  'data/test_heavy_join.py': holds(90, 1.2),
  'data/test_sort.py': holds(40, 0.8),
  'api/test_broken.py':
    'import sys\nprint("loading fixtures")\nprint("Traceback (most recent call last):\\nAssertionError: expected 3 rows, got 2", file=sys.stderr)\nsys.exit(1)\n',
  'net/test_flaky.py':
    'import os, sys\nmark = os.path.join(os.environ["MARKS"], "tried")\nif not os.path.exists(mark):\n    open(mark, "w").close()\n    print("connection reset by peer", file=sys.stderr)\n    sys.exit(3)\nprint("fine now")\n',
  'slow/test_hangs.py': 'import time\nprint("waiting for a lock", flush=True)\ntime.sleep(60)\n',
  'jobs/test_daemon.py': 'import subprocess\nsubprocess.Popen(["sleep", "30"])\nprint("started a helper")\n',
  // Only the hanging script gets a short timeout: the others must pass however loaded the machine.
  // `html` in the config file asks for the page (the flag --html is the same setting).
  'ergate.config.json': JSON.stringify({ html: 'run.html', overrides: [{ files: 'slow/*.py', timeout: '2s' }] }),
};

interface Report {
  total: number;
  passed: number;
  failed: number;
  timeout: number;
  skipped: number;
  flaky: number;
  jobs: number;
  memoryBudgetMb: number | null;
  results: {
    name: string;
    status: string;
    attempts: number;
    slot?: number;
    memorySamples?: [number, number][];
    startTime: string;
    durationMs: number;
    failedAttempts?: { slot?: number; startTime: string; durationMs: number }[];
    leftovers?: { pid: number; command: string }[];
  }[];
}

/**
 * Appended to a copy of the page: hovers the first bar of the first row, clicks it, then
 * zooms in at the middle and back out (double-click), and leaves what the page did in <body data-*> for --dump-dom.
 */
const INTERACT = `<script>(function () {
  const canvas = document.querySelector('#timeline canvas');
  const box = canvas.getBoundingClientRect();
  const at = (event, x, y) => {
    Object.defineProperty(event, 'offsetX', { value: x });
    Object.defineProperty(event, 'offsetY', { value: y });
    canvas.dispatchEvent(event);
  };
  const where = (x, y) => ({ clientX: box.left + x, clientY: box.top + y, bubbles: true, cancelable: true, pointerId: 1 });
  const x = Number(document.body.dataset.firstBarX), y = Number(document.body.dataset.firstBarY);
  at(new MouseEvent('mousemove', where(x, y)), x, y);
  document.body.dataset.tip = document.querySelector('.tip').textContent;
  at(new PointerEvent('pointerdown', where(x, y)), x, y);
  at(new PointerEvent('pointerup', where(x, y)), x, y);
  document.body.dataset.pinned = document.querySelector('.details').textContent;
  at(new WheelEvent('wheel', { ...where(box.width / 2, y), deltaY: -800 }), box.width / 2, y);
  document.body.dataset.drawnZoomed = canvas.dataset.drawn;
  canvas.dispatchEvent(new MouseEvent('dblclick', where(x, y)));
  document.body.dataset.drawnFit = canvas.dataset.drawn;
})();</script>`;

/** The number shown on the summary card `key` of the page's DOM. */
function card(dom: string, key: string): number {
  const match = new RegExp(`data-count="${key}"><div class="value">([\\d,]+)<`).exec(dom);
  if (!match) throw new Error(`no summary card ${key}`);
  return Number(match[1].replace(/,/g, ''));
}

describe('the HTML report', () => {
  it('shows a real run in chromium with the JSON report counts, one bar per attempt, no console error', async () => {
    const dir = makeTempDir();
    writeTree(dir, SCRIPTS);
    const json = path.join(dir, 'run.json');
    const html = path.join(dir, 'run.html');
    const flags = ['-j', '3', '--retries', '1', '--memory-budget', '2GB', '--sample', '100ms'];
    const run = await runCli(['run', '.', '--python', PYTHON, ...flags, '--json', json], { MARKS: makeTempDir() }, dir);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    const byName = Object.fromEntries(report.results.map((r) => [r.name, r]));
    expect(byName['test_broken.py'].status).toBe('failed');
    expect(byName['test_hangs.py'].status).toBe('timeout');
    expect(byName['test_flaky.py']).toMatchObject({ status: 'passed', attempts: 2 });
    expect(report).toMatchObject({ jobs: 3, memoryBudgetMb: 2048 });
    expect(byName['test_daemon.py'].leftovers).toEqual([{ pid: expect.any(Number) as number, command: 'sleep 30' }]);

    // The data: which slot ran each attempt, and a bounded memory series per script.
    for (const r of report.results) {
      expect(r.slot).toBeGreaterThanOrEqual(0);
      expect(r.slot).toBeLessThan(3);
      for (const earlier of r.failedAttempts ?? []) expect(earlier.slot).toBeGreaterThanOrEqual(0);
      expect((r.memorySamples ?? []).length).toBeLessThanOrEqual(64);
    }
    // No two attempts share a slot at the same time.
    const bySlot = new Map<number, [number, number][]>();
    for (const r of report.results)
      for (const a of [...(r.failedAttempts ?? []), r]) {
        const start = Date.parse(a.startTime);
        bySlot.set(a.slot!, [...(bySlot.get(a.slot!) ?? []), [start, start + a.durationMs]]);
      }
    for (const spans of bySlot.values()) {
      spans.sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1] - 2);
    }
    const heavy = byName['test_heavy_join.py'].memorySamples!;
    expect(heavy.length).toBeGreaterThan(2);
    expect(Math.max(...heavy.map(([, kb]) => kb))).toBeGreaterThan(80 * 1024);

    // Self-contained: one file, nothing it would load, readable by everyone.
    const page = readFileSync(html, 'utf8');
    expect(statSync(html).mode & 0o777).toBe(0o644);
    expect(page).not.toMatch(/<(link|img|iframe)\b|\bsrc=|https?:\/\//i);

    // Rebuilt from the saved JSON: the same page.
    const rebuilt = path.join(dir, 'rebuilt.html');
    const again = await runCli(['report', json, '--html', rebuilt], {}, dir);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(rebuilt, 'utf8')).toBe(page);

    // Hover, click and zoom, driven in the same browser load as the checks below.
    const interactive = path.join(dir, 'interactive.html');
    writeFileSync(interactive, page.replace(/<\/body>\s*<\/html>\s*$/, `${INTERACT}</body></html>`));
    mkdirSync(OUTPUT, { recursive: true });
    const screenshot = path.join(OUTPUT, 'report.png');
    const browser = await loadInChromium(interactive, { screenshot, width: 1400, height: 2000 });
    for (const pid of browser.pids) expect(await isGoneSoon(pid), `chromium pid ${pid}`).toBe(true);
    expect(browser.consoleLines).toEqual([]);
    const { dom } = browser;
    expect(dom).toContain('data-ready="1"');
    const attempts = report.results.reduce((sum, r) => sum + r.attempts, 0);
    expect(dom).toContain(`data-timeline-bars="${attempts}"`);
    expect(dom).toContain(`data-timeline-drawn="${attempts}"`);
    for (const key of ['total', 'passed', 'timeout', 'skipped', 'flaky'] as const)
      expect(card(dom, key)).toBe(report[key]);
    expect(card(dom, 'failed')).toBe(report.failed);
    expect(dom).toContain('memory budget 2.00 GiB');
    expect(dom).toMatch(/id="failure-\d+"[^]*api\/test_broken\.py[^]*expected 3 rows, got 2/);
    expect(dom).toContain('net/test_flaky.py');
    const leftovers = /id="leftovers">[^]*?<\/section>/.exec(dom)?.[0] ?? '';
    expect(leftovers).toMatch(/jobs\/test_daemon\.py<\/td><td class="num">\d+<\/td><td class="name">sleep 30</);
    // The first bar of slot 1, hovered then clicked: its name and details; zoomed in: fewer bars drawn.
    const tip = /data-tip="([^"]*)"/.exec(dom)?.[1] ?? '';
    expect(tip).toMatch(/\.py.*status.*duration.*peak tree memory.*slot slot 1/);
    expect(/data-pinned="([^"]*)"/.exec(dom)?.[1]).toContain(tip.split('status')[0]);
    expect(Number(/data-drawn-zoomed="(\d+)"/.exec(dom)?.[1])).toBeLessThan(attempts);
    expect(dom).toContain(`data-drawn-fit="${attempts}"`);
    expect(statSync(screenshot).size).toBeGreaterThan(20_000);
    writeFileSync(path.join(OUTPUT, 'report.html'), page);
  }, 180_000);
});
