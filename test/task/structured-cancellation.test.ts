// Structured cancellation reaches what a task starts: runScript, runFunction and script
// runners called (or constructed) inside a task are bound to its scope, so a fail-fast
// sibling kills their children (checked by pid) and settles them 'cancelled'. An explicit
// signal is combined with the scope; `detached: true` opts out.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AsyncParallelRunner,
  AsyncScheduler,
  BatchRunner,
  ParallelRunner,
  closeFunctionPool,
  runFunction,
  runScript,
  type ExecutionResult,
  type FunctionResult,
  type ScriptResult,
} from '../../src/index.ts';
import { fixture as functionFixture, waitUntil } from '../function/helpers.ts';
import { PYTHON, fixture, processState, waitUntilGone } from '../script/helpers.ts';
import { createDeferred } from './deferred.ts';

afterAll(() => closeFunctionPool());

const FAIL_FAST = "cancelled: fail-fast after 'thrower' failed";

/** A folder for pid marks and the path of a gate file that does not exist yet. */
function markDir(): { dir: string; gate: string; args: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ergate-scope-'));
  const gate = path.join(dir, 'gate.open');
  return { dir, gate, args: [dir, gate] };
}

/** The pid of the first mark_then_wait.py child that started (it writes its pid file first). */
async function firstMarkedPid(dir: string): Promise<number> {
  const marks = (): number[] =>
    readdirSync(dir)
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  await waitUntil(() => marks().length > 0, 15_000, 'the script to start');
  return marks()[0];
}

const script = fixture('mark_then_wait.py');

describe('the enclosing task scope is the default signal', () => {
  it('runScript inside a fail-fast task: a sibling throws, the Python child dies (by pid), the script settles cancelled', async () => {
    const { dir, args } = markDir();
    let result: ScriptResult | undefined;
    const group = await new AsyncParallelRunner({ failFast: true }).run([
      ['long', async () => (result = await runScript(script, { python: PYTHON, args, timeoutMs: 60_000 }))],
      [
        'thrower',
        async () => {
          await firstMarkedPid(dir);
          throw new Error('sibling failed');
        },
      ],
    ]);
    await waitUntilGone(await firstMarkedPid(dir));
    await waitUntil(() => result !== undefined, 15_000, 'the script to settle');
    expect(result).toMatchObject({ status: 'cancelled', error: FAIL_FAST });
    expect(group.results.map((r) => r.status)).toEqual(['cancelled', 'failed']);
  });

  it('runFunction inside a fail-fast task: the spinning thread is stopped when a sibling throws', async () => {
    const heartbeat = new Int32Array(new SharedArrayBuffer(4));
    let call: FunctionResult<unknown> | undefined;
    await new AsyncParallelRunner({ failFast: true }).run([
      [
        'spinner',
        async () =>
          (call = await runFunction(functionFixture('spinWithHeartbeat'), { args: [heartbeat], timeoutMs: 60_000 })),
      ],
      [
        'thrower',
        async () => {
          await waitUntil(() => Atomics.load(heartbeat, 0) > 0, 15_000, 'the spinner to run');
          throw new Error('sibling failed');
        },
      ],
    ]);
    await waitUntil(() => call !== undefined, 15_000, 'the call to settle');
    expect(call).toMatchObject({ status: 'cancelled', error: FAIL_FAST });
    // It settles only once its thread has exited: the heartbeat stays still across a round trip.
    const before = Atomics.load(heartbeat, 0);
    expect((await runFunction(functionFixture('add'), { args: [1, 2] })).result).toBe(3);
    expect(Atomics.load(heartbeat, 0)).toBe(before);
  });

  it('ParallelRunner.runScripts called inside a task is cancelled with it, its child dead by pid', async () => {
    const { dir, args } = markDir();
    await using runner = new ParallelRunner({ python: PYTHON });
    let run: ExecutionResult | undefined;
    await new AsyncParallelRunner({ failFast: true }).run([
      [
        'runs',
        async () =>
          (run = await runner.runScripts([script], { timeoutMs: 60_000, configs: { 'mark_then_wait.py': { args } } })),
      ],
      [
        'thrower',
        async () => {
          await firstMarkedPid(dir);
          throw new Error('sibling failed');
        },
      ],
    ]);
    await waitUntil(() => run !== undefined, 15_000, 'the run to settle');
    expect(run!.skipped).toBe(1);
    expect(run!.results[0]).toMatchObject({ status: 'cancelled', error: FAIL_FAST });
    await waitUntilGone(await firstMarkedPid(dir));
  });

  it('a runner constructed inside a task binds at construction: a run started outside dies with that task', async () => {
    const { dir, args } = markDir();
    const built = createDeferred<ParallelRunner>();
    const failNow = createDeferred();
    const group = new AsyncParallelRunner({ failFast: true }).run([
      [
        'owner',
        async () => {
          built.resolve(new ParallelRunner({ python: PYTHON }));
          await new Promise(() => undefined);
        },
      ],
      [
        'thrower',
        async () => {
          await failNow.promise;
          throw new Error('sibling failed');
        },
      ],
    ]);
    await using runner = await built.promise;
    // Called from the test body, outside every task: only the construction scope binds it.
    const run = runner.runScripts([script], { timeoutMs: 60_000, configs: { 'mark_then_wait.py': { args } } });
    const pid = await firstMarkedPid(dir);
    failNow.resolve();
    expect((await run).results[0]).toMatchObject({ status: 'cancelled', error: FAIL_FAST });
    await waitUntilGone(pid);
    await group;
  });

  it('BatchRunner.runBatches inside a task stops with it and starts no further batch', async () => {
    const { dir, args } = markDir();
    await using runner = new BatchRunner({ python: PYTHON });
    let batches: ExecutionResult[] | undefined;
    await new AsyncParallelRunner({ failFast: true }).run([
      [
        'batches',
        async () =>
          (batches = await runner.runBatches([[script], [fixture('hello.py')]], {
            timeoutMs: 60_000,
            stopOnBatchFailure: false,
            configs: { 'mark_then_wait.py': { args } },
          })),
      ],
      [
        'thrower',
        async () => {
          await firstMarkedPid(dir);
          throw new Error('sibling failed');
        },
      ],
    ]);
    await waitUntil(() => batches !== undefined, 15_000, 'the batches to settle');
    expect(batches).toHaveLength(1);
    expect(batches![0].results[0]).toMatchObject({ status: 'cancelled', error: FAIL_FAST });
    await waitUntilGone(await firstMarkedPid(dir));
  });
});

describe('inside a scheduler job', () => {
  it('runFunction and runScript started by a job die with cancel() of that job', async () => {
    const { dir, args } = markDir();
    const heartbeat = new Int32Array(new SharedArrayBuffer(4));
    await using scheduler = new AsyncScheduler();
    let call: Promise<FunctionResult<unknown>> | undefined;
    let scriptRun: Promise<ScriptResult> | undefined;
    const id = scheduler.schedule(
      async () => {
        call = runFunction(functionFixture('spinWithHeartbeat'), { args: [heartbeat], timeoutMs: 60_000 });
        scriptRun = runScript(script, { python: PYTHON, args, timeoutMs: 60_000 });
        await Promise.all([call, scriptRun]);
      },
      { name: 'starter' },
    );
    scheduler.start();
    await waitUntil(() => Atomics.load(heartbeat, 0) > 0, 15_000, 'the call to run');
    const pid = await firstMarkedPid(dir);
    expect(scheduler.cancel(id)).toBe(true);
    const cancelled = "cancelled: scheduler.cancel() was called for job 'starter'";
    expect(await call!).toMatchObject({ status: 'cancelled', error: cancelled });
    expect(await scriptRun!).toMatchObject({ status: 'cancelled', error: cancelled });
    await waitUntilGone(pid);
  });
});

describe('explicit signals and detached', () => {
  it('an explicit signal is combined with the scope: aborting it alone cancels the script', async () => {
    const { dir, args } = markDir();
    const own = new AbortController();
    const group = await new AsyncParallelRunner().run([
      [
        'own-signal',
        async () => {
          const pending = runScript(script, { python: PYTHON, args, signal: own.signal, timeoutMs: 60_000 });
          await firstMarkedPid(dir);
          own.abort(new Error('caller aborted'));
          return pending;
        },
      ],
    ]);
    expect(group.results[0].value).toMatchObject({ status: 'cancelled', error: 'cancelled: caller aborted' });
    await waitUntilGone(await firstMarkedPid(dir));
  });

  it('detached: true work outlives its cancelled task and passes', async () => {
    const { dir, gate, args } = markDir();
    const release = new Int32Array(new SharedArrayBuffer(4));
    let detachedScript: Promise<ScriptResult> | undefined;
    let detachedCall: Promise<FunctionResult<unknown>> | undefined;
    const group = await new AsyncParallelRunner({ failFast: true }).run([
      [
        'starter',
        async () => {
          detachedScript = runScript(script, { python: PYTHON, args, detached: true, timeoutMs: 60_000 });
          detachedCall = runFunction(functionFixture('waitForRelease'), { args: [release, 7], detached: true });
          await new Promise(() => undefined);
        },
      ],
      [
        'thrower',
        async () => {
          await firstMarkedPid(dir);
          throw new Error('sibling failed');
        },
      ],
    ]);
    expect(group.results[0].status).toBe('cancelled');
    expect(processState(await firstMarkedPid(dir))).not.toBeNull();
    writeFileSync(gate, '');
    Atomics.store(release, 0, 1);
    Atomics.notify(release, 0);
    expect(await detachedScript!).toMatchObject({ status: 'passed' });
    expect(await detachedCall!).toMatchObject({ status: 'passed', result: 7 });
  });
});
