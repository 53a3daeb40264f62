// Output capture: bounded head + tail with a "bytes dropped" marker, a 1 GiB flood that
// does not grow the runner's memory, and live chunks through onOutput.
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { decodeCaptured } from '../../src/script/script-result.ts';
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
    const probe = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
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
    const result = await runScript(fixture('hello.py'), {
      ...base,
      onOutput: (s, c) => {
        chunks[s] += c;
      },
    });
    expect(chunks.stdout).toBe(result.stdout);
    expect(chunks.stderr).toBe(result.stderr);
  });

  it('keeps a multi-byte character whole when head and tail meet inside it (nothing cut)', async () => {
    // 7 bytes under a 10-byte cap: head 5 bytes, tail 2, the euro sign split between them.
    const result = await runScript(fixture('write_text.py'), { ...base, args: ['aaaa\u20ac'], maxOutputBytes: 10 });
    expect(result.stdout).toBe('aaaa\u20ac');
  });

  it('an onOutput listener that throws: the result and its output are kept, the logger told once', async () => {
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (_: object, msg?: string) => {
        warnings.push(msg ?? '');
      },
    };
    const result = await runScript(fixture('numbered_lines.py'), {
      ...base,
      args: ['3'],
      logger,
      onOutput: () => {
        throw new Error('listener bug');
      },
    });
    expect(result.status).toBe('passed');
    expect(result.stdout).toBe('line 0\nline 1\nline 2\n');
    expect(warnings.filter((w) => w.includes('onOutput listener threw'))).toHaveLength(1);
    expect(warnings[0]).toContain('listener bug');
  });

  it('an onOutput listener that throws, no logger: one process warning on stderr', async () => {
    const seen: Error[] = [];
    const onWarning = (warning: Error) => seen.push(warning);
    process.on('warning', onWarning);
    try {
      const result = await runScript(fixture('numbered_lines.py'), {
        ...base,
        args: ['3'],
        onOutput: () => {
          throw new Error('listener bug');
        },
      });
      expect(result.status).toBe('passed');
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(seen.filter((w) => w.message.includes('onOutput listener threw'))).toHaveLength(1);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('decodeCaptured', () => {
  const bytes = Buffer.from('日本語');
  it('decodes head and tail together when nothing was dropped: a character split between them survives', () => {
    expect(decodeCaptured({ head: bytes.subarray(0, 4), tail: bytes.subarray(4), dropped: 0 })).toBe('日本語');
  });

  it('decodes each result on its own: a character cut at the end of one never reaches the next', () => {
    expect(decodeCaptured({ head: bytes.subarray(0, 4), tail: Buffer.alloc(0), dropped: 0 })).toBe('日\uFFFD');
    expect(decodeCaptured({ head: Buffer.from('ok'), tail: Buffer.alloc(0), dropped: 0 })).toBe('ok');
  });

  it('marks what was dropped between head and tail', () => {
    expect(decodeCaptured({ head: Buffer.from('ab'), tail: Buffer.from('yz'), dropped: 5 })).toBe(
      'ab\n[... 5 bytes dropped ...]\nyz',
    );
  });
});
