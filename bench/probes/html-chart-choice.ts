// `node --import tsx bench/probes/html-chart-choice.ts [N]`: the measurement behind the HTML
// report's charting choice (docs/DESIGN.md). The same N timeline bars (default 100,000 on 32
// rows) drawn in headless chromium by vega-lite (already a devDependency: vega + vega-lite
// inlined, canvas renderer) and by the report's own canvas timeline (html/timeline.js); prints
// each page's size and in-page time to a drawn chart, as one JSON line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PAGE_ASSETS, renderPage } from '../../src/cli/reports/write-html-report.ts';
import type { PageData } from '../../src/cli/reports/html-page-data.ts';
import { loadInChromium } from '../../test/cli/reports/headless-chromium.ts';

const n = Number(process.argv[2] ?? 100_000);
const LANES = 32;
const ROOT = path.resolve(PAGE_ASSETS, '..', '..', '..', '..');

const start: number[] = [];
const duration: number[] = [];
const lane: number[] = [];
const status: number[] = [];
const free = new Array<number>(LANES).fill(0);
for (let i = 0; i < n; i++) {
  const l = i % LANES;
  const d = 40 + ((i * 7919) % 400);
  start.push(free[l]);
  duration.push(d);
  lane.push(l);
  status.push(i % 50 === 0 ? 1 : 0);
  free[l] += d + 3;
}
const order = [...start.keys()].sort((a, b) => lane[a] - lane[b] || start[a] - start[b]);
const pick = (column: number[]): number[] => order.map((i) => column[i]);

const data: PageData = {
  version: 1,
  ergateVersion: 'bench',
  startTime: '2026-12-05T12:00:00.000Z',
  durationMs: Math.max(...free),
  counts: {
    total: n,
    passed: n - n / 50,
    failed: n / 50,
    timeout: 0,
    error: 0,
    cancelled: 0,
    notStarted: 0,
    flaky: 0,
    attempts: n,
  },
  success: false,
  interrupted: false,
  halted: null,
  jobs: LANES,
  memoryBudgetMb: null,
  strings: ['passed', 'test.py'],
  scripts: { name: new Array<number>(n).fill(1), attempts: new Array<number>(n).fill(1) },
  lanes: Array.from({ length: LANES }, (_, i) => `slot ${i + 1}`),
  workers: 0,
  bars: {
    start: pick(start),
    duration: pick(duration),
    lane: pick(lane),
    status: pick(status),
    script: order,
    attempt: new Array<number>(n).fill(1),
    peakKb: new Array<number>(n).fill(-1),
    reason: new Array<number>(n).fill(0),
  },
  memory: null,
  slowest: [],
  failures: [],
  moreFailures: 0,
  flaky: [],
  tests: [],
  moreTests: 0,
  leftovers: [],
  moreLeftovers: 0,
  notStarted: [],
  moreNotStarted: 0,
};

const vegaPage = (): string => {
  const lib = (file: string): string => fs.readFileSync(path.join(ROOT, 'node_modules', file), 'utf8');
  const values = order.map((i) => ({ s: start[i], e: start[i] + duration[i], l: lane[i], st: status[i] }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 1200,
    height: 520,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 's', type: 'quantitative' },
      x2: { field: 'e' },
      y: { field: 'l', type: 'ordinal' },
      color: { field: 'st', type: 'nominal' },
    },
  };
  return `<!doctype html><body><div id="chart"></div>
<script>${lib('vega/build/vega.min.js')}</script>
<script>${lib('vega-lite/build/vega-lite.min.js')}</script>
<script>const t0 = performance.now();
const spec = ${JSON.stringify(spec)};
new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'canvas' })
  .initialize(document.getElementById('chart')).runAsync()
  .then(() => { document.body.dataset.renderMs = String(Math.round(performance.now() - t0)); });
</script></body>`;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-chart-choice-'));
try {
  const result: Record<string, unknown> = { bars: n };
  for (const [name, page] of [
    ['canvas', renderPage(data)],
    ['vega-lite', vegaPage()],
  ] as const) {
    const file = path.join(dir, `${name}.html`);
    fs.writeFileSync(file, page);
    const loaded = await loadInChromium(file, { timeoutMs: 300_000 });
    result[name] = {
      pageMib: +(page.length / 2 ** 20).toFixed(2),
      renderMs: Number(/data-render-ms="(\d+)"/.exec(loaded.dom)?.[1] ?? NaN),
      chromiumWallMs: Math.round(loaded.ms),
      consoleLines: loaded.consoleLines.length,
    };
  }
  console.log(JSON.stringify({ ...result, load: os.loadavg().map((l) => +l.toFixed(2)) }));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
