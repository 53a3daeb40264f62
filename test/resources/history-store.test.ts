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
  script,
  durationMs,
  peakKb: 1000,
  status: 'passed',
  at: Date.now(),
  ...extra,
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

  it('keeps thousands of scripts exactly: every run, status and unknown peak, across growth and a compaction', () => {
    const maxBytes = 400_000;
    const store = new HistoryStore(file, { keepPerScript: 2, maxBytes });
    const statuses = ['passed', 'failed', 'timeout', 'error', 'cancelled'] as const;
    for (let run = 0; run < 3; run++) {
      for (let i = 0; i < 3000; i++) {
        store.append(
          record(`/many/s${i}.py`, run * 10_000 + i + 0.5, {
            peakKb: i % 7 === 0 ? null : i,
            status: statuses[(i + run) % 5],
            at: run,
          }),
        );
      }
    }
    const expected = (i: number) =>
      [1, 2].map((run) => ({
        durationMs: run * 10_000 + i + 0.5,
        peakKb: i % 7 === 0 ? null : i,
        status: statuses[(i + run) % 5],
        at: run,
      }));
    expect(store.size).toBe(3000);
    for (const i of [0, 63, 64, 65, 1023, 1024, 2999]) expect(store.runs(`/many/s${i}.py`)).toEqual(expected(i));
    // Compaction keeps the scripts seen last (more than one write batch of them), with their runs.
    store.compactIfNeeded();
    expect(fs.statSync(file).size).toBeLessThanOrEqual(maxBytes / 2);
    const kept = new HistoryStore(file, { keepPerScript: 2 });
    expect(kept.size).toBeGreaterThan(1024);
    expect(kept.size).toBeLessThan(3000);
    const firstKept = 3000 - kept.size;
    expect(kept.runs(`/many/s${firstKept - 1}.py`)).toEqual([]);
    for (const i of [firstKept, 2999]) expect(kept.runs(`/many/s${i}.py`)).toEqual(expected(i));
  });

  it('ignores a corrupt history file with one warning, and heals it on compaction', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const good = JSON.stringify({ s: '/ok.py', d: 10, m: null, st: 'passed', t: 1 });
    fs.writeFileSync(
      file,
      `\u0000\u0001garbage\n{"s": 1}\n${good}\n{"s":"/x.py","d":-5,"m":null,"st":"passed"}\n[]\n{truncated`,
    );
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

  it('refuses a history file that is a symbolic link with one warning, and never writes through it', () => {
    const target = path.join(dir, 'elsewhere.txt');
    fs.writeFileSync(target, 'precious\n');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.symlinkSync(target, file);
    const warnings: string[] = [];
    const store = new HistoryStore(file, { warn: (m) => warnings.push(m), maxBytes: 1 });
    store.append(record('/a.py', 1));
    store.append(record('/b.py', 2));
    store.compactIfNeeded();
    expect(warnings).toEqual([
      `the run history ${file} is a symbolic link: not followed, so no history is read or kept`,
    ]);
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(true);
  });

  it('a link made after loading is refused at the append (O_NOFOLLOW), once', () => {
    const target = path.join(dir, 'elsewhere.txt');
    fs.writeFileSync(target, 'precious\n');
    const warnings: string[] = [];
    const store = new HistoryStore(file, { warn: (m) => warnings.push(m) });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.symlinkSync(target, file);
    store.append(record('/a.py', 1));
    store.append(record('/b.py', 2));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/is a symbolic link: not followed/);
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
  });

  it("compaction's temp file is never followed: a link planted at its name is removed, its target untouched", () => {
    const store = new HistoryStore(file, { maxBytes: 1 });
    store.append(record('/a.py', 1));
    const target = path.join(dir, 'elsewhere.txt');
    fs.writeFileSync(target, 'precious\n');
    fs.symlinkSync(target, `${file}.${process.pid}.tmp`);
    store.compactIfNeeded();
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
    expect(fs.lstatSync(file).isFile()).toBe(true);
    expect(fs.existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });
});
