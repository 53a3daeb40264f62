// wrapModule: a typed proxy over a module's exports, `await math.fib(30)`, where each call is
// a runFunction call by module reference (pool, timeout, signal, isolate, the enclosing task's
// scope) that resolves with the value and rejects with a FunctionCallError carrying the
// FunctionResult. Built on the pool, not comlink: comlink would add a message hop per call.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runFunction } from './run-function.ts';
import type { FunctionResult, RunFunctionOptions } from './types.ts';
import { validateCall } from './validate-options.ts';

/** Options of every call through the proxy; `args` come from the call itself. */
export type WrapModuleOptions = Omit<RunFunctionOptions, 'args' | 'name'>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any exported function qualifies
type AnyFunction = (...args: any[]) => unknown;

/** Each function export of M, returning a promise of its (awaited) result. */
export type ModuleProxy<M> = {
  readonly [K in keyof M as M[K] extends AnyFunction ? K : never]: M[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

/** A call through a module proxy that did not pass: `result` says how it ended. */
export class FunctionCallError extends Error {
  override name = 'FunctionCallError';
  constructor(readonly result: FunctionResult<unknown>) {
    super(result.error ?? `function ${result.status}`);
  }
}

function unwrap<R>(result: FunctionResult<R>): R {
  if (result.status === 'passed') return result.result as R;
  throw new FunctionCallError(result);
}

/**
 * A proxy whose properties call the module's exports in the function pool:
 * `const math = wrapModule<typeof import('./math.js')>('./math.js'); await math.fib(30)`.
 * A relative path is resolved against process.cwd() now, once.
 */
export function wrapModule<M extends object>(module: string | URL, options: WrapModuleOptions = {}): ModuleProxy<M> {
  if (typeof module !== 'string' && !(module instanceof URL)) {
    throw new TypeError(
      `wrapModule module: expected a path or a file URL, got ${module === null ? 'null' : typeof module}`,
    );
  }
  if (module === '') throw new TypeError('wrapModule module: expected a path or a file URL, got ""');
  if (typeof options !== 'object' || options === null || 'args' in options) {
    throw new TypeError('wrapModule options: expected an object of call options (args come from each call)');
  }
  // An absolute file URL: runFunction caches its resolution per export.
  const url =
    module instanceof URL || module.startsWith('file:') ? new URL(module) : pathToFileURL(path.resolve(module));
  // Bad options are refused now, not at the first call.
  validateCall({ module: url }, options);
  const calls = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(Object.create(null) as ModuleProxy<M>, {
    get(_target, property) {
      // Not a thenable (so `await proxy` is the proxy), and no symbol is an export name.
      if (typeof property !== 'string' || property === 'then') return undefined;
      let call = calls.get(property);
      if (call === undefined) {
        const ref = { module: url, export: property };
        call =
          Object.keys(options).length === 0
            ? (...args: unknown[]) => runFunction(ref, { args }).then(unwrap)
            : (...args: unknown[]) => runFunction(ref, { ...options, args }).then(unwrap);
        calls.set(property, call);
      }
      return call;
    },
  });
}
