// Floods through runScript: gigabytes on stdout and stderr at once (both pipes drained
// concurrently, memory bounded by maxOutputBytes, no deadlock), invalid UTF-8 (replaced, never
// a crash, characters split across writes kept whole), and a million tiny lines with an
// onOutput listener that sees every line in order while memory stays bounded, even when the
// listener is slow (the child is slowed down instead of its output queued), in both start methods.
import { afterEach, describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { PYTHON, fixture } from './helpers.ts';

const MIB = 1024 * 1024;
/** Per stream. CI floods 5 GiB on each stream; `npm run soak` goes further. */
const FLOOD_MIB = Number(process.env.ERGATE_FLOOD_MIB ?? 5 * 1024);

/** Samples this process's RSS until stopped; reports the growth over the starting value. */
function sampleRss() {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  return {
    stop: () => {
      clearInterval(timer);
      return (peak - start) / MIB;
    },
  };
}

describe('floods', () => {
  let sampler: ReturnType<typeof sampleRss> | null = null;
  afterEach(() => {
    sampler?.stop();
    sampler = null;
  });

  it(`${FLOOD_MIB} MiB on stdout and on stderr at once: no deadlock, bounded memory`, async () => {
    const maxOutputBytes = 4 * MIB;
    sampler = sampleRss();
    const result = await runScript(fixture('flood_both.py'), {
      python: PYTHON,
      args: [String(FLOOD_MIB)],
      maxOutputBytes,
      timeoutMs: 170_000,
    });
    const growthMib = sampler.stop();
    expect(result.status).toBe('passed');
    for (const text of [result.stdout, result.stderr]) {
      // Head and tail kept, the middle counted exactly.
      expect(text).toContain(`[... ${FLOOD_MIB * MIB - maxOutputBytes} bytes dropped ...]`);
      expect(text.startsWith('0123456789abcde\n')).toBe(true);
      expect(text.endsWith('0123456789abcde\n')).toBe(true);
    }
    // Gigabytes went through; far less than one stayed.
    expect(growthMib).toBeLessThan(400);
  }, 180_000);

  it('invalid UTF-8 is replaced with U+FFFD, in the result and live, on both streams', async () => {
    const live = { stdout: '', stderr: '' };
    const result = await runScript(fixture('invalid_utf8.py'), {
      python: PYTHON,
      onOutput: (stream, chunk) => {
        live[stream] += chunk;
      },
    });
    expect(result.status).toBe('passed');
    const bytes = Buffer.concat([
      Buffer.from('start|'),
      Buffer.from([0x80, 0x20, 0xc3, 0x20, 0xc0, 0xaf, 0x20, 0xed, 0xa0, 0x80, 0x20, 0xff]),
      Buffer.from('|€|end\n'),
    ]);
    const expected = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    expect(expected).toContain('\uFFFD');
    expect(expected).toContain('|€|');
    expect(result.stdout).toBe(expected);
    expect(result.stderr).toBe(expected);
    expect(live.stdout).toBe(expected);
    expect(live.stderr).toBe(expected);
  });

  it('one million tiny lines: onOutput sees every line, in order', async () => {
    const lines = 1_000_000;
    let next = 0;
    let partial = '';
    let outOfOrder = 0;
    sampler = sampleRss();
    const result = await runScript(fixture('many_lines.py'), {
      python: PYTHON,
      args: [String(lines)],
      timeoutMs: 170_000,
      maxOutputBytes: MIB,
      onOutput: (stream, chunk) => {
        if (stream !== 'stdout') return;
        const parts = (partial + chunk).split('\n');
        partial = parts.pop()!;
        for (const part of parts) if (Number(part) !== next++) outOfOrder++;
      },
    });
    const growthMib = sampler.stop();
    expect(result.status).toBe('passed');
    expect(result.stderr).toBe('end\n');
    expect(partial).toBe('');
    expect(next).toBe(lines);
    expect(outOfOrder).toBe(0);
    expect(growthMib).toBeLessThan(300);
  }, 180_000);

  // spawn: the supervisor thread pauses the child's pipes until the main thread acks; forkserver:
  // the main thread reads the server's pipe itself, so a slow listener stalls the server and
  // through it the child.
  it.each(['spawn', 'forkserver'] as const)(
    'a slow onOutput slows the child down instead of queueing its output (%s)',
    async (startMethod) => {
      const mib = 96;
      let chars = 0;
      let calls = 0;
      sampler = sampleRss();
      const result = await runScript(fixture('flood_both.py'), {
        python: PYTHON,
        args: [String(mib)],
        timeoutMs: 170_000,
        maxOutputBytes: MIB,
        startMethod,
        onOutput: (_stream, chunk) => {
          chars += chunk.length;
          // A listener far slower than the pipe: ~1 ms of work every few chunks.
          if (++calls % 4 === 0) {
            const until = performance.now() + 1;
            while (performance.now() < until);
          }
        },
      });
      const growthMib = sampler.stop();
      expect(result.status).toBe('passed');
      expect(chars).toBe(2 * mib * MIB);
      // Without backpressure the whole 192 MiB would queue up as strings in this process.
      expect(growthMib).toBeLessThan(64);
    },
    180_000,
  );
});
