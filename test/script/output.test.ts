// Output capture: bounded head + tail with a "bytes dropped" marker, a 1 GiB flood that
// does not grow the runner's memory, and live chunks through onOutput.
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { OutputBuffer } from '../../src/script/output-buffer.ts';
import { PYTHON, fixture } from './helpers.ts';

describe.each(['spawn', 'forkserver'] as const)('output (%s)', (startMethod) => {
  const base = { python: PYTHON, startMethod };
  it('keeps head and tail within maxOutputBytes and says how much was dropped', async () => {
    const result = await runScript(fixture('numbered_lines.py'), { ...base, args: ['10000'], maxOutputBytes: 200 });
    const total = Array.from({ length: 10000 }, (_, i) => `line ${i}\n`).join('');
    const dropped = Buffer.byteLength(total) - 200;
    expect(result.stdout.startsWith(total.slice(0, 100))).toBe(true);
    expect(result.stdout.endsWith(total.slice(-100))).toBe(true);
    expect(result.stdout).toContain(`[... ${dropped} bytes dropped ...]`);
  });

  it('survives a 1 GiB flood without growing the runner memory', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const probe = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
    const result = await runScript(fixture('flood.py'), { ...base, args: ['1024'], maxOutputBytes: 1024 * 1024 });
    clearInterval(probe);
    expect(result.status).toBe('passed');
    expect(result.stdout.length).toBeLessThan(1024 * 1024 + 100);
    expect(result.stdout).toContain(`[... ${1024 * 1024 * 1024 - 1024 * 1024} bytes dropped ...]`);
    // 1 GiB went through; the runner may hold the 1 MiB cap plus transient pipe chunks.
    expect(peak - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('streams live chunks through onOutput, all of them before the result', async () => {
    const chunks: Record<string, string> = { stdout: '', stderr: '' };
    const result = await runScript(fixture('hello.py'), { ...base, onOutput: (s, c) => { chunks[s] += c; } });
    expect(chunks.stdout).toBe(result.stdout);
    expect(chunks.stderr).toBe(result.stderr);
  });

  it('survives an onOutput listener that throws', async () => {
    const result = await runScript(fixture('hello.py'), { ...base, onOutput: () => { throw new Error('listener bug'); } });
    expect(result.status).toBe('passed');
  });
});

describe('OutputBuffer', () => {
  it('keeps everything below the cap and decodes multi-byte characters split across chunks', () => {
    const buffer = new OutputBuffer(100);
    const bytes = Buffer.from('日本語');
    buffer.push(bytes.subarray(0, 4));
    buffer.push(bytes.subarray(4));
    expect(buffer.toString()).toBe('日本語');
    expect(buffer.droppedBytes).toBe(0);
  });

  it('holds at most the cap whatever the chunk sizes', () => {
    const buffer = new OutputBuffer(10);
    for (let i = 0; i < 1000; i++) buffer.push(Buffer.from(String(i % 10).repeat(i % 7 + 1)));
    expect(buffer.totalBytes - buffer.droppedBytes).toBe(10);
    expect(buffer.toString()).toMatch(/^\d{5}\n\[\.\.\. \d+ bytes dropped \.\.\.\]\n\d{5}$/);
  });
});
