import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryStore, type HistoryRecord } from '../../src/resources/history-store.ts';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-history-'));
  file = path.join(dir, '.ergate', 'history.ndjson');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const record = (script: string, durationMs: number, extra: Partial<HistoryRecord> = {}): HistoryRecord => ({
  script, durationMs, peakKb: 1000, status: 'passed', at: Date.now(), ...extra,
});

describe('HistoryStore', () => {
  it('appends whole lines that a later store reads back, keeping the latest runs per script', () => {
    const store = new HistoryStore(file, { keepPerScript: 3 });
    for (let i = 1; i <= 5; i++) store.append(record('/a.py', i * 100, { peakKb: i }));
    store.append(record('/b.py', 42, { status: 'failed', peakKb: null }));
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    for (const line of lines.slice(0, -1)) expect(() => JSON.parse(line) as unknown).not.toThrow();

    const again = new HistoryStore(file, { keepPerScript: 3 });
    expect(again.runs('/a.py').map((r) => r.durationMs)).toEqual([300, 400, 500]);
    expect(again.runs('/b.py')).toEqual([expect.objectContaining({ durationMs: 42, status: 'failed', peakKb: null })]);
    expect(again.runs('/missing.py')).toEqual([]);
  });

  it('two stores appending to one file (two runs or shards) lose nothing', () => {
    const a = new HistoryStore(file);
    const b = new HistoryStore(file);
    for (let i = 0; i < 50; i++) {
      a.append(record(`/a${i}.py`, i));
      b.append(record(`/b${i}.py`, i));
    }
    expect(new HistoryStore(file).size).toBe(100);
  });

  it('stays bounded after many runs', () => {
    const maxBytes = 8 * 1024;
    for (let run = 0; run < 30; run++) {
      const store = new HistoryStore(file, { maxBytes, keepPerScript: 3 });
      for (let i = 0; i < 40; i++) store.append(record(`/scripts/s${i}.py`, run * 10 + i));
      store.compactIfNeeded();
      expect(fs.statSync(file).size).toBeLessThanOrEqual(maxBytes);
    }
    const last = new HistoryStore(file, { maxBytes, keepPerScript: 3 });
    // The newest run's records survive compaction.
    expect(last.runs('/scripts/s39.py').at(-1)?.durationMs).toBe(29 * 10 + 39);
  });

  it('ignores a corrupt history file with one warning, and heals it on compaction', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const good = JSON.stringify({ s: '/ok.py', d: 10, m: null, st: 'passed', t: 1 });
    fs.writeFileSync(file, `\u0000\u0001garbage\n{"s": 1}\n${good}\n{"s":"/x.py","d":-5,"m":null,"st":"passed"}\n[]\n{truncated`);
    const warnings: string[] = [];
    const store = new HistoryStore(file, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([`ignored 5 corrupt lines of the run history ${file}`]);
    expect(store.runs('/ok.py')).toHaveLength(1);
    expect(store.runs('/x.py')).toEqual([]);
    store.compactIfNeeded();
    const healed: string[] = [];
    expect(new HistoryStore(file, { warn: (m) => healed.push(m) }).runs('/ok.py')).toHaveLength(1);
    expect(healed).toEqual([]);
  });

  it('a history it cannot write is a warning, not a crash', () => {
    fs.writeFileSync(path.join(dir, '.ergate'), 'a file where the folder should be');
    const warnings: string[] = [];
    const store = new HistoryStore(file, { warn: (m) => warnings.push(m) });
    store.append(record('/a.py', 1));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^could not write the run history/);
    expect(store.runs('/a.py')).toHaveLength(1);
  });
});
