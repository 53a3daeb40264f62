import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStat, statCommand } from '../../src/script/proc-stat.ts';
import { readProcess } from '../../src/script/proc-tree.ts';
import { ProcReader } from '../../src/resources/proc-reader.ts';

// proc(5) fields 1..24 of a made-up process whose name holds spaces and parentheses.
const fields = ['S', '41', '42', '0', '0', '-1', '4194560', '10', '0', '0', '0', '7', '5', '0', '0', '20', '0', '3'];
const LINE = `1234 (a) b (c) ${fields.join(' ')} 0 987654321 123456789 2500 18446744073709551615\n`;

describe('parseStat: the one /proc/<pid>/stat parser', () => {
  it('counts fields from the last parenthesis, so a name with ") " cannot shift them', () => {
    const bytes = Buffer.from(LINE, 'latin1');
    expect(parseStat(bytes, bytes.length)).toEqual({
      state: 'S',
      ppid: 41,
      pgid: 42,
      cpuTicks: 12,
      threads: 3,
      startTime: 987654321,
      rssPages: 2500,
    });
    expect(statCommand(bytes, bytes.length)).toBe('a) b (c');
    // Only the first `length` bytes count (ProcReader's shared buffer holds older, longer lines).
    const longer = Buffer.concat([bytes, Buffer.from(' 9 (x) Z 1 1', 'latin1')]);
    expect(parseStat(longer, bytes.length)?.state).toBe('S');
    expect(parseStat(Buffer.from('garbage'), 7)).toBeNull();
  });

  it('reads this process alike in the process-tree snapshot and the sampler', () => {
    const info = readProcess(process.pid)!;
    expect(info).toMatchObject({ pid: process.pid, ppid: process.ppid });
    expect(info.state).toMatch(/^[RS]$/);
    expect(info.comm).toBe(fs.readFileSync(`/proc/${process.pid}/comm`, 'latin1').trim());
    const reader = new ProcReader();
    const sample = reader.read(process.pid)!;
    reader.close();
    expect(sample.cpuTicks).toBeGreaterThan(0);
    expect(sample.memoryKb).toBeGreaterThan(1024);
  });
});
