// runFunction end to end on real pool threads: plain functions by source text, FunctionRefs
// (.ts, .mjs, path, URL, default export), and every way a call can fail to produce a value.
import { afterAll, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { closeFunctionPool, runFunction } from '../../src/function/index.ts';
import { fixture, fixturesUrl, functionsModule } from './helpers.ts';

afterAll(() => closeFunctionPool());

describe('runFunction with a plain function', () => {
  it('runs it by its source text and returns the value', async () => {
    const result = await runFunction((a: number, b: number) => a * b, { args: [6, 7] });
    expect(result).toMatchObject({
      status: 'passed',
      result: 42,
      error: null,
      type: 'function',
      name: 'anonymous',
      isolation: 'thread',
    });
    expect(Date.parse(result.endTime)).toBeGreaterThanOrEqual(Date.parse(result.startTime));
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('names the result after the function, or options.name', async () => {
    function square(n: number): number {
      return n * n;
    }
    expect(await runFunction(square, { args: [9] })).toMatchObject({ name: 'square', result: 81 });
    expect(await runFunction(square, { args: [3], name: 'job-7' })).toMatchObject({ name: 'job-7', result: 9 });
  });

  it('awaits an async function and accepts method shorthand', async () => {
    const holder = {
      async sumLater(this: void, a: number, b: number): Promise<number> {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return a + b;
      },
    };
    expect(await runFunction(holder.sumLater, { args: [2, 3] })).toMatchObject({
      status: 'passed',
      result: 5,
      name: 'sumLater',
    });
  });

  it('runs in another thread, not the caller', async () => {
    // (A FunctionRef: vitest rewrites import() inside test-file functions.)
    const result = await runFunction<number>(fixture('hostThreadId'));
    expect(result.status).toBe('passed');
    expect(result.result).toBeGreaterThan(0);
  });

  it('explains a closure over an outer variable', async () => {
    const outside = 5;
    const result = await runFunction(() => outside + 1);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/outside is not defined.*cannot use variables from outside itself/);
  });

  it('reports a native function as an error instead of crashing', async () => {
    const result = await runFunction(Math.max, { args: [1, 2] });
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/could not be compiled/);
  });
});

describe('runFunction with a FunctionRef', () => {
  it('runs a named export of a .ts module given by path', async () => {
    expect(await runFunction(fixture('add'), { args: [2, 40] })).toMatchObject({
      status: 'passed',
      result: 42,
      name: 'add',
    });
  });

  it('runs the default export, named after the module', async () => {
    expect(await runFunction({ module: functionsModule }, { args: [21] })).toMatchObject({
      status: 'passed',
      result: 42,
      name: 'functions',
    });
  });

  it('runs with the arguments as they were at the call, even when it waits for a thread', async () => {
    // Many calls at once: most wait in the queue while the caller changes its arrays.
    const argLists = Array.from({ length: 64 }, (_, i) => [i, 1]);
    const calls = argLists.map((args) => runFunction((a: number, b: number) => a + b, { args }));
    for (const args of argLists) args[1] = 1_000;
    const results = await Promise.all(calls);
    expect(results.map((r) => r.result)).toEqual(argLists.map((_, i) => i + 1));
  });

  it('a URL changed after a call runs the module it names now, and the same export of two modules stays apart', async () => {
    const url = new URL('functions.mjs', fixturesUrl);
    expect(await runFunction({ module: url, export: 'triple' }, { args: [2] })).toMatchObject({ result: 6 });
    url.pathname = url.pathname.replace(/functions\.mjs$/, 'no-such-module.mjs');
    expect(await runFunction({ module: url, export: 'triple' }, { args: [2] })).toMatchObject({ status: 'error' });
  });

  it('accepts a file URL object or string, and .mjs modules', async () => {
    const mjs = new URL('functions.mjs', fixturesUrl);
    expect(await runFunction({ module: mjs, export: 'triple' }, { args: [5] })).toMatchObject({
      status: 'passed',
      result: 15,
    });
    expect(await runFunction({ module: mjs.href }, { args: ['ada'] })).toMatchObject({
      status: 'passed',
      result: 'hello ada',
    });
  });

  it('awaits an async export', async () => {
    expect(await runFunction(fixture('addLater'), { args: [1, 1] })).toMatchObject({ status: 'passed', result: 2 });
  });

  it("gives 'error' for a missing export, a non-function export and a missing module", async () => {
    const missing = await runFunction(fixture('noSuchExport'));
    expect(missing).toMatchObject({ status: 'error', result: null });
    expect(missing.error).toMatch(/has no export 'noSuchExport'/);

    const notFunction = await runFunction(fixture('notAFunction'));
    expect(notFunction).toMatchObject({ status: 'error' });
    expect(notFunction.error).toMatch(/'notAFunction' .* is not a function \(it is number\)/);

    const noModule = await runFunction({ module: pathToFileURL('/nonexistent/ergate-module.mjs') });
    expect(noModule).toMatchObject({ status: 'error' });
    expect(noModule.error).toMatch(/cannot load module file:\/\/\/nonexistent\/ergate-module\.mjs/);
  });
});

describe('runFunction failures', () => {
  it("gives 'failed' with the message, type and stack of a thrown error", async () => {
    const result = await runFunction(fixture('throwRangeError'));
    expect(result).toMatchObject({
      status: 'failed',
      error: 'value out of range',
      errorType: 'RangeError',
      result: null,
    });
    expect(result.stack).toMatch(/RangeError: value out of range\n\s+at throwRangeError/);
  });

  it("gives 'failed' for a thrown non-Error value", async () => {
    const result = await runFunction(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test is a thrown non-Error
      throw 'plain string';
    });
    expect(result).toMatchObject({ status: 'failed', error: 'plain string', errorType: null });
  });

  it("gives 'error' with a plain message for uncloneable arguments", async () => {
    const result = await runFunction((x: unknown) => typeof x, { args: [() => 1] });
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/^the arguments could not be sent to the function: .*could not be cloned/);
  });

  it("gives 'error' for an uncloneable result, and the pool keeps working", async () => {
    const fn = await runFunction(fixture('returnFunction'));
    expect(fn).toMatchObject({
      status: 'error',
      error: 'the result could not be sent back: a function cannot be cloned',
    });
    const weak = await runFunction(fixture('returnUncloneable'));
    expect(weak).toMatchObject({ status: 'error' });
    expect(weak.error).toMatch(/^the result could not be sent back/);
    expect(await runFunction(fixture('add'), { args: [1, 2] })).toMatchObject({ status: 'passed', result: 3 });
  });

  it('survives a function that exits its thread', async () => {
    const result = await runFunction(() => process.exit(3));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/stopped: exited with code 3/);
    expect(await runFunction(fixture('add'), { args: [1, 2] })).toMatchObject({ status: 'passed', result: 3 });
  });
});
