// Bad arguments to runFunction are refused before anything runs, with a TypeError that names
// the option and what was expected.
import { afterAll, describe, expect, it } from 'vitest';
import { closeFunctionPool, runFunction } from '../../src/function/index.ts';
import { fixture } from './helpers.ts';

afterAll(() => closeFunctionPool());

const ok = (): number => 1;

describe('runFunction option validation', () => {
  it.each([
    [{ args: 'x' }, /^options\.args must be an array of arguments/],
    [{ timeoutMs: -5 }, /^options\.timeoutMs must be a positive number of milliseconds/],
    [{ timeoutMs: Number.NaN }, /^options\.timeoutMs must be a number of milliseconds/],
    [{ timeoutMs: Infinity }, /^options\.timeoutMs must be a finite number of milliseconds/],
    [{ timeoutMs: 2 ** 40 }, /^options\.timeoutMs must be at most 2147483647 ms/],
    [{ memoryLimitMb: 0 }, /^options\.memoryLimitMb must be a positive whole number of MiB/],
    [{ memoryLimitMb: 1.5 }, /^options\.memoryLimitMb must be a whole number of MiB/],
    [{ signal: {} }, /^options\.signal must be an AbortSignal/],
    [{ name: 3 }, /^options\.name must be a string/],
    [{ timeout: 5 }, /^options\.timeout is not a known option/],
  ])('refuses %o', async (options, message) => {
    await expect(runFunction(ok, options as never)).rejects.toThrow(TypeError);
    await expect(runFunction(ok, options as never)).rejects.toThrow(message);
  });

  it('refuses options that are not an object', async () => {
    await expect(runFunction(ok, 5 as never)).rejects.toThrow(/^options must be an object/);
  });

  it.each([
    [null, /^fn must be a function or a FunctionRef/],
    ['add', /^fn must be a function or a FunctionRef/],
    [{}, /^fn\.module is required/],
    [{ module: '' }, /^fn\.module must be a non-empty path or a file URL/],
    [{ module: new URL('https://example.com/x.js') }, /^fn\.module must be a path or a file: URL/],
    [{ ...fixture('add'), export: '' }, /^fn\.export must be a non-empty export name/],
  ])('refuses fn %o', async (fn, message) => {
    await expect(runFunction(fn as never)).rejects.toThrow(TypeError);
    await expect(runFunction(fn as never)).rejects.toThrow(message);
  });

  it('accepts every documented option', async () => {
    const result = await runFunction(fixture('add'), {
      args: [1, 2],
      timeoutMs: 30_000,
      signal: new AbortController().signal,
      name: 'sum',
    });
    expect(result).toMatchObject({ status: 'passed', result: 3, name: 'sum' });
  });
});
