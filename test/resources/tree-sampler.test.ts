import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { findDescendants, killGroupMembers, signalSnapshotted } from '../../src/script/proc-tree.ts';
import { TreeSampler, type TreeSample } from '../../src/resources/tree-sampler.ts';
import { PYTHON, fixture, waitUntilGone } from '../script/helpers.ts';

const started: number[] = [];
afterEach(async () => {
  for (const pid of started.splice(0)) {
    // The test's own spawn is the parent: it still holds the leader, so the group is intact.
    for (const info of findDescendants(pid)) signalSnapshotted(info, 'SIGKILL');
    killGroupMembers([pid]);
    await waitUntilGone(pid);
  }
});

/** Starts tree_allocates.py and resolves once every child holds its memory. */
async function startTree(children: number, mb: number): Promise<number> {
  const child = spawn(PYTHON, [fixture('tree_allocates.py'), String(children), String(mb)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  started.push(child.pid!);
  let text = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('allocated')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`tree_allocates.py exited early (${code})`)));
  });
  return child.pid!;
}

/** A sleeping interpreter in its own group, killed after the test. */
function sleeper(): number {
  const child = spawn(PYTHON, ['-c', 'import time; time.sleep(3600)'], { stdio: 'ignore', detached: true });
  started.push(child.pid!);
  return child.pid!;
}

/** The first sample of pid's tree. */
function firstSample(pid: number): Promise<TreeSample> {
  return nthSample(pid, 1);
}

/** The tree's nth sample (from the 3rd on, every process in it is read as PSS). */
function nthSample(pid: number, n: number, eager = false): Promise<TreeSample> {
  const sampler = new TreeSampler(50);
  let seen = 0;
  return new Promise<TreeSample>((resolve) => {
    const stop = sampler.watch(
      pid,
      (s) => {
        if (++seen < n) return;
        stop();
        sampler.close();
        resolve(s);
      },
      { eager },
    );
  });
}

describe('TreeSampler', () => {
  it('sums memory and counts processes over the child and its descendants', async () => {
    const pid = await startTree(2, 64);
    expect(findDescendants(pid)).toHaveLength(2);
    const sampler = new TreeSampler(50);
    const sample = await new Promise<TreeSample>((resolve) => {
      const stop = sampler.watch(pid, (s) => {
        stop();
        resolve(s);
      });
    });
    sampler.close();
    expect(sample.pid).toBe(pid);
    expect(sample.processes).toBe(3);
    // Two children hold 64 MiB each; the parent's own memory comes on top.
    expect(sample.treeRssKb).toBeGreaterThan(128 * 1024);
    expect(sample.treeRssKb).toBeLessThan(128 * 1024 + 64 * 1024);
    expect(sample.cpuPercent).toBeGreaterThanOrEqual(0);
  });

  it('reports CPU % of a busy tree, and none for an idle one', async () => {
    const spawnAnnouncing = async (code: string) => {
      const child = spawn(PYTHON, ['-c', `print("go", flush=True)\n${code}`], {
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true,
      });
      started.push(child.pid!);
      await new Promise((resolve) => child.stdout.once('data', resolve));
      return child.pid!;
    };
    const busy = await spawnAnnouncing('while True: pass');
    const idle = await spawnAnnouncing('import time; time.sleep(3600)');
    const sampler = new TreeSampler(100);
    const cpu = new Map<number, number[]>([
      [busy, []],
      [idle, []],
    ]);
    // CPU % comes from clock ticks (10 ms): on a heavily loaded machine a busy loop may get
    // under one tick in some 100 ms windows, so sample until it has shown CPU in one of them,
    // for at least 4 passes and at most 100 (10 s, far beyond any load this suite meets).
    const enough = () =>
      cpu.get(idle)!.length >= 4 && (cpu.get(busy)!.some((p) => p > 1) || cpu.get(busy)!.length >= 100);
    await new Promise<void>((resolve) => {
      for (const pid of [busy, idle]) {
        const stop = sampler.watch(pid, (s) => {
          cpu.get(pid)!.push(s.cpuPercent);
          if (enough()) {
            sampler.close();
            resolve();
          } else if (pid === idle && cpu.get(idle)!.length >= 4) stop();
        });
      }
    });
    expect(Math.max(...cpu.get(busy)!)).toBeGreaterThan(1);
    expect(Math.max(...cpu.get(busy)!)).toBeLessThanOrEqual(110);
    expect(Math.max(...cpu.get(idle)!)).toBe(0);
  });

  it('counts a forked child’s pages shared with its parent once (PSS below the RSS sum)', async () => {
    // The parent touches 64 MiB, then forks: until written, the child shares those pages.
    const code = [
      'import os, time',
      "data = b'\\x01' * (64 << 20)",
      'if os.fork() == 0:',
      '    time.sleep(3600)',
      "print('forked', flush=True)",
      'time.sleep(3600)',
    ].join('\n');
    const child = spawn(PYTHON, ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    started.push(child.pid!);
    await new Promise((resolve) => child.stdout.once('data', resolve));
    // PSS: from a tree's third sample, or at its first when eager (a cap or budget).
    for (const sample of [await nthSample(child.pid!, 3), await nthSample(child.pid!, 1, true)]) {
      expect(sample.processes).toBe(2);
      // Two RSS of ~70 MiB each would sum to ~140 MiB; shared once it stays near 70.
      expect(sample.treeRssKb).toBeGreaterThan(64 * 1024);
      expect(sample.treeRssKb).toBeLessThan(100 * 1024);
    }
  });

  it('finds a child forked by a thread other than the main one', async () => {
    const code = [
      'import subprocess, sys, threading, time',
      'def start():',
      '    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])',
      "    print('forked', flush=True)",
      '    time.sleep(3600)',
      'threading.Thread(target=start, daemon=True).start()',
      'time.sleep(3600)',
    ].join('\n');
    const child = spawn(PYTHON, ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    started.push(child.pid!);
    await new Promise((resolve) => child.stdout.once('data', resolve));
    expect((await firstSample(child.pid!)).processes).toBe(2);
  });

  it('without /proc, pidusage samples the child alone', async () => {
    const pid = await startTree(1, 32);
    const sampler = new TreeSampler(50, 'pidusage');
    const sample = await new Promise<TreeSample>((resolve) => {
      const stop = sampler.watch(pid, (s) => {
        stop();
        resolve(s);
      });
    });
    sampler.close();
    expect(sample).toMatchObject({ pid, processes: 1 });
    // The parent alone: an interpreter's few MiB, not its child's 32 MiB.
    expect(sample.treeRssKb).toBeGreaterThan(1024);
    expect(sample.treeRssKb).toBeLessThan(32 * 1024);
  });

  it('samples a tree first once it has run an interval, or at the next pass when eager', async () => {
    const [a, young, eager] = [sleeper(), sleeper(), sleeper()];
    const sampler = new TreeSampler(100);
    let pass = 0;
    let watchedAt = 0;
    const firstPass = new Map<number, { pass: number; at: number }>();
    const first = (pid: number) => () => firstPass.has(pid) || firstPass.set(pid, { pass, at: performance.now() });
    await new Promise<void>((resolve) => {
      sampler.watch(
        a,
        () => {
          pass += 1;
          // Watched during pass 1 (the pass goes on to them): the eager tree is read at once,
          // the young one not before it has run an interval.
          if (pass === 1) {
            watchedAt = performance.now();
            sampler.watch(young, first(young));
            sampler.watch(eager, first(eager), { eager: true });
          }
          if (firstPass.has(young)) resolve();
        },
        { eager: true },
      );
    });
    sampler.close();
    expect(firstPass.get(eager)!.pass).toBe(1);
    // Which later pass reads the young tree depends on how late a loaded machine runs the
    // timer; what holds is that it is a later pass, once the tree has run ~an interval (the
    // sampler allows timers 10% early).
    expect(firstPass.get(young)!.pass).toBeGreaterThan(1);
    expect(firstPass.get(young)!.at - watchedAt).toBeGreaterThanOrEqual(0.9 * 100 - 1);
  });

  it('runs a pass due within a quarter interval when a tree is watched or unwatched, not on its own timer', async () => {
    const [a, b, c] = [sleeper(), sleeper(), sleeper()];
    const interval = 2000;
    const sampler = new TreeSampler(interval);
    const passes: number[] = [];
    const firstPass = new Promise<void>((resolve) => {
      sampler.watch(
        a,
        () => {
          passes.push(performance.now());
          resolve();
        },
        { eager: true },
      );
    });
    await firstPass;
    // An early pass is queued with setImmediate: one queued after the watch runs after it.
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    // Just after a pass: watching another tree runs no pass.
    const stopB = sampler.watch(b, () => undefined, { eager: true });
    await nextTurn();
    expect(passes).toHaveLength(1);
    // The behaviour under test depends on elapsed time itself: wait past 3/4 of the interval (a
    // timer due before the sampler's, so it runs first however late a loaded machine runs both).
    const mostOfAnInterval = () => new Promise((resolve) => setTimeout(resolve, 0.75 * interval + 50));
    await mostOfAnInterval();
    expect(passes).toHaveLength(1);
    sampler.watch(c, () => undefined);
    await nextTurn();
    expect(passes).toHaveLength(2);
    // Stopping a tree's sampling is a wake-up too, once 3/4 of an interval has passed again.
    await mostOfAnInterval();
    expect(passes).toHaveLength(2);
    stopB();
    await nextTurn();
    expect(passes).toHaveLength(3);
    sampler.close();
  });

  it('stops its timer when nothing is watched and refuses a bad interval', () => {
    expect(() => new TreeSampler(0)).toThrow(/sampleMs must be a positive number/);
    const sampler = new TreeSampler(10);
    const stop = sampler.watch(process.pid, () => undefined);
    stop();
    stop();
    sampler.close();
  });
});
