// Workload 'distributed' (issue 9): the same trivial scripts in-process against through
// BullMQ/Redis with 1, 2 and 3 local `ergate worker`s (-j 2 each). On this 2-core machine
// more workers cannot add speed: the numbers show the per-script cost of the queue, not scale-out.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParallelRunner } from '../src/index.ts';
import { freePort, startChild } from './harness/children.ts';
import { writeTrivialScripts } from './harness/scripts.ts';
import { NotAvailableError, type Workload } from './harness/types.ts';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

interface DistributedState {
  scripts: string[];
  root: string;
  children: ChildProcess[];
  local: ParallelRunner;
  /** one warm coordinator per worker count, each on its own queue */
  remote: Map<number, ParallelRunner>;
}

async function runAll(runner: ParallelRunner, scripts: string[]): Promise<void> {
  const result = await runner.runScripts(scripts);
  if (result.passed !== scripts.length)
    throw new Error(`expected ${scripts.length} passed, got ${JSON.stringify(result.toJSON())}`);
}

export const distributedWorkload: Workload<DistributedState> = {
  name: 'distributed',
  title: 'trivial Python scripts through BullMQ/Redis vs in-process (2 cores)',
  metric: 'wall time of the whole run (warm runner, workers already connected)',
  unit: 'ms',
  reference: 'in-process (2 wide)',
  notes:
    'Each Redis variant runs the same scripts on k local `ergate worker` processes with -j 2 each, ' +
    'coordinated by one warm ParallelRunner with backend { redis }. With 2 cores shared by everything, ' +
    'adding workers adds contention, not speed: the ratio to in-process is the cost per script of going ' +
    'through the queue (job add, worker fetch, result, event), which is what scale-out across machines pays. ' +
    'Workers start all their supervisor threads before they report ready: without that, each unprimed slot made its first ' +
    'script wait 0.7-2 s for a thread (the early smoke showed ~1 s for 4 scripts on 2-3 workers, 160 ms on 1).',
  cases: (ctx) => {
    const n = ctx.smoke ? 4 : 100;
    return [{ label: `N=${n}`, params: { N: n } }];
  },
  async setup(ctx, spec) {
    if (
      !fs.existsSync('/usr/bin/redis-server') &&
      !process.env.PATH?.split(':').some((d) => fs.existsSync(path.join(d, 'redis-server')))
    ) {
      throw new NotAvailableError('redis-server is not installed');
    }
    const root = path.join(ctx.tmpDir, 'trivial');
    const scripts = await writeTrivialScripts(root, spec.params.N);
    const port = await freePort();
    const children: ChildProcess[] = [];
    children.push(
      await startChild(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', ctx.tmpDir, '--save', '', '--appendonly', 'no'],
        /Ready to accept/,
      ),
    );
    const url = `redis://127.0.0.1:${port}`;
    const env = { ...process.env, ERGATE_PYTHON: ctx.python };
    const remote = new Map<number, ParallelRunner>();
    for (const count of [1, 2, 3]) {
      const queue = `bench-${count}`;
      const started = await Promise.all(
        Array.from({ length: count }, () =>
          startChild(
            process.execPath,
            ['--import', 'tsx', CLI, 'worker', '--redis', url, '--queue', queue, '-j', '2', '--root', root],
            /^ready /m,
            env,
          ),
        ),
      );
      children.push(...started);
      remote.set(count, new ParallelRunner({ python: ctx.python, backend: { redis: url, queue, root } }));
    }
    const local = new ParallelRunner({ python: ctx.python, maxWorkers: 2 });
    // Prime every path once (connections, supervisor threads, interpreter caches).
    await runAll(local, scripts.slice(0, 2));
    for (const runner of remote.values()) await runAll(runner, scripts.slice(0, 2));
    return { scripts, root, children, local, remote };
  },
  variants: {
    'in-process (2 wide)': (state) => runAll(state.local, state.scripts),
    'redis, 1 worker': (state) => runAll(state.remote.get(1)!, state.scripts),
    'redis, 2 workers': (state) => runAll(state.remote.get(2)!, state.scripts),
    'redis, 3 workers': (state) => runAll(state.remote.get(3)!, state.scripts),
  },
  async teardown(state) {
    await state.local.close();
    for (const runner of state.remote.values()) await runner.close();
    // Workers first (SIGTERM: graceful, nothing is running now), redis last.
    for (const child of state.children.slice(1).concat(state.children.slice(0, 1))) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  },
};
