// wrapModule: a typed proxy over a module's exports. Each call is a runFunction call by
// module reference: it runs in the pool, resolves with the value, rejects with a
// FunctionCallError for anything but 'passed', honours timeoutMs and signal, and is bound
// to the enclosing task's scope.
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { AsyncParallelRunner, FunctionCallError, closeFunctionPool, wrapModule } from '../../src/index.ts';
import type * as Functions from '../fixtures/functions.ts';
import { functionsModule, waitUntil } from './helpers.ts';

afterAll(() => closeFunctionPool());

const fns = wrapModule<typeof Functions>(functionsModule);

describe('wrapModule', () => {
  it('calls exports by name in a pool thread, typed', async () => {
    const sum = fns.add(2, 3);
    expectTypeOf(sum).toEqualTypeOf<Promise<number>>();
    expect(await sum).toBe(5);
    expect(await fns.addLater(4, 5)).toBe(9);
    expect(await fns.pid()).toBe(process.pid);
    expect(await fns.hostThreadId()).not.toBe(0);
  });

  it('rejects with a FunctionCallError carrying the result when the call does not pass', async () => {
    const error = await fns.throwRangeError().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FunctionCallError);
    expect((error as FunctionCallError).message).toBe('value out of range');
    expect((error as FunctionCallError).result).toMatchObject({
      status: 'failed',
      errorType: 'RangeError',
      name: 'throwRangeError',
    });
  });

  it('applies the options of wrapModule to every call: timeoutMs and signal', async () => {
    const limited = wrapModule<typeof Functions>(functionsModule, { timeoutMs: 300 });
    await expect(limited.spinForever()).rejects.toMatchObject({
      result: { status: 'timeout', error: 'timed out after 300 ms' },
    });
    const controller = new AbortController();
    const stoppable = wrapModule<typeof Functions>(functionsModule, { signal: controller.signal });
    const heartbeat = new Int32Array(new SharedArrayBuffer(4));
    const pending = stoppable.spinWithHeartbeat(heartbeat);
    await waitUntil(() => Atomics.load(heartbeat, 0) > 0, 10_000, 'the call to run');
    controller.abort(new Error('enough'));
    await expect(pending).rejects.toMatchObject({ result: { status: 'cancelled', error: 'cancelled: enough' } });
  });

  it('is bound to the enclosing task scope: a fail-fast sibling stops a proxied call', async () => {
    const heartbeat = new Int32Array(new SharedArrayBuffer(4));
    const group = await new AsyncParallelRunner({ failFast: true }).run([
      ['proxied', () => fns.spinWithHeartbeat(heartbeat)],
      [
        'thrower',
        async () => {
          await waitUntil(() => Atomics.load(heartbeat, 0) > 0, 10_000, 'the call to run');
          throw new Error('sibling failed');
        },
      ],
    ]);
    expect(group.results[0].status).toBe('cancelled');
  });

  it('is not a thenable, has no symbol exports, and refuses bad input', async () => {
    expect(await Promise.resolve(fns)).toBe(fns);
    expect((fns as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
    expect(() => wrapModule(42 as unknown as string)).toThrow(TypeError);
    expect(() => wrapModule(functionsModule, { timeoutMs: -1 })).toThrow(/options\.timeoutMs/);
    expect(() => wrapModule(functionsModule, { args: [1] } as never)).toThrow(/args come from each call/);
    await expect((fns as unknown as Record<string, () => Promise<unknown>>).missing()).rejects.toMatchObject({
      result: { status: 'error' },
    });
  });
});
