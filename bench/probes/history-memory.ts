// `node --expose-gc --import tsx bench/probes/history-memory.ts [N]`: what the run history
// holds in memory. Appends N (default 100,000) records of distinct scripts to a fresh
// HistoryStore, and prints the retained heap + ArrayBuffers (after a GC) at 10% and at the
// end, the RSS around the closing compaction, and the time to load the compacted file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HistoryStore } from '../../src/resources/history-store.ts';

const n = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const retainedMib = () => {
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
};
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-history-memory-'));
try {
  const file = path.join(dir, 'history.ndjson');
  const scripts = Array.from(
    { length: n },
    (_, i) => `/tmp/ergate-scale-abcdef/n${n}/script_${String(i).padStart(6, '0')}.py`,
  );
  const store = new HistoryStore(file);
  let atTenth = 0;
  for (let i = 0; i < n; i++) {
    store.append({
      script: scripts[i],
      durationMs: 12.5 + (i % 100),
      peakKb: 9000 + (i % 50),
      status: 'passed',
      at: Date.now(),
    });
    if (i === Math.floor(n / 10)) atTenth = retainedMib();
  }
  const atEnd = retainedMib();
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  store.compactIfNeeded();
  const rssAfter = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  const reloaded = new HistoryStore(file);
  console.log(
    JSON.stringify({
      n,
      retainedAtTenthMib: +atTenth.toFixed(1),
      retainedAtEndMib: +atEnd.toFixed(1),
      growthMib: +(atEnd - atTenth).toFixed(1),
      rssBeforeCompactionMib: Math.round(rssBefore),
      rssAfterCompactionMib: Math.round(rssAfter),
      reloadMs: Math.round(performance.now() - started),
      scriptsKept: reloaded.size,
      fileMib: +(fs.statSync(file).size / 2 ** 20).toFixed(2),
    }),
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
