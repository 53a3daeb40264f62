// Bad arguments to runFunction are refused before anything runs, with a TypeError that names
// the option and what was expected.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { closeFunctionPool, runFunction } from '../../src/function/index.ts';
import { validateCall } from '../../src/function/validate-options.ts';
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

// The fast path for options of the plain shape (args, timeoutMs, name) must agree with the
// schema: the same options as a plain object and with a null prototype (always the schema)
// are accepted or refused alike, and read alike.
it('accepts and reads plain options exactly as the schema does', () => {
  const number = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(0, -1, 0.5, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 40, Number.NaN, Infinity),
    fc.constantFrom('5', null, undefined),
  );
  const options = fc.record(
    {
      args: fc.oneof(fc.array(fc.integer()), fc.string(), fc.constant(undefined)),
      timeoutMs: number,
      name: fc.oneof(fc.string(), fc.integer(), fc.constant(undefined)),
    },
    { requiredKeys: [] },
  );
  const outcome = (o: object): unknown => {
    try {
      const { args, timeoutMs, name } = validateCall(ok, o);
      return { ok: { args, timeoutMs, name } };
    } catch (error) {
      return { refused: error instanceof TypeError };
    }
  };
  fc.assert(
    fc.property(options, (o) => {
      expect(outcome(o)).toEqual(outcome(Object.assign(Object.create(null) as object, o)));
    }),
    { numRuns: 2000 },
  );
});
