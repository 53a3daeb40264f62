// Workload: the per-call cost of wrapModule's typed proxy. 20,000 tiny calls of the same
// export, all submitted at once: runFunction by module reference (the reference), the same
// through `wrapModule(...).add(i, 1)`, and comlink's proxy over as many worker threads
// (round robin) as the pool has. Every result is checked. Goal: the proxy <= 1.10x runFunction.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { wrap, releaseProxy, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { requireOurs } from '../harness/ours.ts';
import type { BenchContext, Sample, Workload } from '../harness/types.ts';

const WORKER_URL = new URL('../peers/tiny-worker.mjs', import.meta.url);
const COMLINK_WORKER_URL = new URL('../peers/comlink-worker.mjs', import.meta.url);
const threads = os.availableParallelism();

type Adder = { add(a: number, b: number): number };

interface ProxyState {
  calls: number;
  proxy: { add(a: number, b: number): Promise<number> };
  workers: Worker[];
  remotes: Remote<Adder>[];
}

/** Wall time as the value, and the process's CPU time (every thread) beside it: under load the CPU time is the steadier measure of per-call cost. */
async function timed(run: () => Promise<void>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return { value: performance.now() - started, extra: { cpuMs: Math.round((used.user + used.system) / 1000) } };
}

function checkSum(label: string, values: number[], calls: number): void {
  const got = values.reduce((sum, value) => sum + value, 0);
  if (got !== (calls * (calls + 1)) / 2) throw new Error(`${label}: results summed to ${got}`);
}

function comlinkEndpoint(worker: Worker): Remote<Adder> {
  return wrap<Adder>(nodeEndpoint(worker));
}

export const moduleProxyWorkload: Workload<ProxyState> = {
  name: 'module-proxy',
  title: 'wrapModule: per-call overhead of the typed module proxy',
  metric: 'wall time for all calls, submitted at once',
  unit: 'ms',
  reference: 'ours (runFunction by ref)',
  goals: [
    {
      variant: 'ours (wrapModule)',
      maxRatio: 1.1,
      text: 'the proxy costs at most 10% over runFunction by module reference',
    },
  ],
  notes:
    `The function adds two numbers. ergate's pool has ${threads} threads; comlink gets as many workers, ` +
    'called round robin (comlink has no pool, timeout or kill of its own: one worker is one endpoint).',
  cases(ctx: BenchContext) {
    const calls = ctx.smoke ? 200 : 20_000;
    return [{ label: `${calls} calls`, params: { calls } }];
  },
  async setup(_ctx, spec) {
    const wrapModule = await requireOurs('wrapModule');
    const runFunction = await requireOurs('runFunction');
    const ref = { module: WORKER_URL, export: 'add' };
    // Warm: every pool thread started with the module loaded.
    await Promise.all(Array.from({ length: threads * 8 }, () => runFunction(ref, { args: [0, 0] })));
    const workers = Array.from({ length: threads }, () => new Worker(COMLINK_WORKER_URL));
    const remotes = workers.map(comlinkEndpoint);
    await Promise.all(remotes.map((remote) => remote.add(0, 0)));
    return { calls: spec.params.calls, proxy: wrapModule<Adder>(WORKER_URL), workers, remotes };
  },
  variants: {
    'ours (runFunction by ref)': (state) =>
      timed(async () => {
        const runFunction = await requireOurs('runFunction');
        const ref = { module: WORKER_URL, export: 'add' };
        const results = await Promise.all(
          Array.from({ length: state.calls }, (_, i) => runFunction<number>(ref, { args: [i, 1] })),
        );
        if (results.some((r) => r.status !== 'passed')) throw new Error('runFunction: a call did not pass');
        checkSum(
          'runFunction',
          results.map((r) => r.result ?? Number.NaN),
          state.calls,
        );
      }),
    'ours (wrapModule)': (state) =>
      timed(async () => {
        checkSum(
          'wrapModule',
          await Promise.all(Array.from({ length: state.calls }, (_, i) => state.proxy.add(i, 1))),
          state.calls,
        );
      }),
    'comlink (round robin)': (state) =>
      timed(async () => {
        const { remotes } = state;
        checkSum(
          'comlink',
          await Promise.all(Array.from({ length: state.calls }, (_, i) => remotes[i % remotes.length].add(i, 1))),
          state.calls,
        );
      }),
  },
  async teardown(state) {
    for (const remote of state.remotes) remote[releaseProxy]();
    await Promise.all(state.workers.map((worker) => worker.terminate()));
    const closeFunctionPool = await requireOurs('closeFunctionPool').catch(() => undefined);
    await closeFunctionPool?.();
  },
};
