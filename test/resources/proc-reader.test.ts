import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ANON_READS, PSS_MAX_AGE, ProcReader } from '../../src/resources/proc-reader.ts';
import { PYTHON, waitUntilGone } from '../script/helpers.ts';

const started: number[] = [];
afterEach(async () => {
  for (const pid of started.splice(0)) {
    process.kill(pid, 'SIGKILL');
    await waitUntilGone(pid);
  }
});

describe('ProcReader', () => {
  it('reads smaps_rollup for a new process, when its RSS moves, and when its PSS is old', async () => {
    // Allocates 32 MiB per line read from stdin and says so.
    const code = [
      'import sys',
      'held = []',
      "print('ready', flush=True)",
      'for line in sys.stdin:',
      "    held.append(b'\\x01' * (32 << 20))",
      "    print('allocated', flush=True)",
    ].join('\n');
    const child = spawn(PYTHON, ['-c', code], { stdio: ['pipe', 'pipe', 'inherit'] });
    started.push(child.pid!);
    const said = (word: string) =>
      new Promise<void>((resolve) => {
        const onData = (chunk: Buffer) => {
          if (!chunk.toString().includes(word)) return;
          child.stdout.off('data', onData);
          resolve();
        };
        child.stdout.on('data', onData);
      });
    await said('ready');
    const reader = new ProcReader();
    const pass = () => {
      const sample = reader.read(child.pid!);
      reader.endPass();
      return sample!;
    };
    const first = pass().memoryKb;
    expect(reader.pssReads).toBe(1);
    // Idle: RSS stays, so PSS is not read again and the estimate is the last PSS.
    expect(Math.abs(pass().memoryKb - first)).toBeLessThan(1024);
    expect(reader.pssReads).toBe(1);
    const allocated = said('allocated');
    child.stdin.write('more\n');
    await allocated;
    const grown = pass().memoryKb;
    expect(reader.pssReads).toBe(2);
    expect(grown).toBeGreaterThan(first + 30 * 1024);
    for (let i = 1; i < PSS_MAX_AGE; i++) pass();
    expect(reader.pssReads).toBe(2);
    pass();
    expect(reader.pssReads).toBe(3);
    reader.close();
  });

  it('reads a young process from statm (resident - shared), never smaps_rollup, unless exact; PSS from its third read', async () => {
    const child = spawn(PYTHON, ['-c', "print('ready', flush=True); import sys; sys.stdin.read()"], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    started.push(child.pid!);
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const reader = new ProcReader();
    const first = reader.read(child.pid!, [], false)!.memoryKb;
    reader.endPass();
    expect([reader.statmReads, reader.pssReads]).toEqual([1, 0]);
    // resident - shared of a fresh interpreter: a few MiB, below its RSS.
    const [, resident, shared] = fs.readFileSync(`/proc/${child.pid}/statm`, 'latin1').split(' ').map(Number);
    expect(first).toBeGreaterThan(0);
    expect(Math.abs(first - (resident - shared) * 4)).toBeLessThan(2048);
    expect(first).toBeLessThan(resident * 4);
    // A process read only ANON_READS times (a 1 s script at 500 ms) never pays the PSS read.
    expect(ANON_READS).toBe(2);
    expect(reader.read(child.pid!, [], false)!.memoryKb).toBeGreaterThan(0);
    reader.endPass();
    expect([reader.statmReads, reader.pssReads]).toEqual([2, 0]);
    const third = reader.read(child.pid!, [], false)!.memoryKb;
    reader.endPass();
    expect([reader.statmReads, reader.pssReads]).toEqual([2, 1]);
    expect(third).toBeGreaterThan(0);
    // exact: PSS at the first read of a process this reader has not seen.
    const exact = new ProcReader();
    exact.read(child.pid!, [], true);
    expect([exact.statmReads, exact.pssReads]).toEqual([0, 1]);
    exact.close();
    reader.close();
  });

  it('keeps stat and the children list open between passes, but not smaps_rollup', async () => {
    const child = spawn(PYTHON, ['-c', "print('ready', flush=True); import sys; sys.stdin.read()"], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    started.push(child.pid!);
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const reader = new ProcReader();
    const openFiles = () =>
      fs.readdirSync('/proc/self/fd').map((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return ''; // the directory's own descriptor, closed by now
        }
      });
    expect(reader.read(child.pid!)).not.toBeNull();
    reader.endPass();
    expect(reader.pssReads).toBe(1);
    const held = openFiles();
    expect(held).toContain(`/proc/${child.pid}/stat`);
    expect(held).toContain(`/proc/${child.pid}/task/${child.pid}/children`);
    // Held, it would pin the process's mm_struct after its exit until the sampler closed it.
    expect(held).not.toContain(`/proc/${child.pid}/smaps_rollup`);
    reader.close();
    expect(openFiles()).not.toContain(`/proc/${child.pid}/stat`);
  });

  it('reads a process that ended as gone, and forgets it', async () => {
    const child = spawn(PYTHON, ['-c', 'pass'], { stdio: 'ignore' });
    const reader = new ProcReader();
    expect(reader.read(child.pid!)).not.toBeNull();
    await new Promise((resolve) => child.once('exit', resolve));
    await waitUntilGone(child.pid!);
    expect(reader.read(child.pid!)).toBeNull();
    reader.close();
  });
});
