// Runs one CallRequest inside a function host (a pool thread or a child process): compiles
// source text or imports a module export, calls it, and turns every way that can end into a
// CallOutcome. Never throws: whatever the user's code does becomes data for the caller.
import type { CallOutcome, CallRequest, CallTarget } from './types.ts';

type AnyFunction = (...args: unknown[]) => unknown;

// Compiled sources and imported modules are cached per host, so repeated calls of the same
// function cost one Map lookup. Sources are bounded: callers may generate many distinct ones.
const MAX_CACHED_SOURCES = 1_000;
const compiledSources = new Map<string, AnyFunction>();
const importedModules = new Map<string, Promise<Record<string, unknown>>>();

/** Thrown (inside this module only) when the target cannot be turned into a function. */
class UnrunnableError extends Error {}

function compileSource(source: string): AnyFunction {
  const cached = compiledSources.get(source);
  if (cached !== undefined) return cached;
  let compiled: unknown;
  try {
    compiled = evaluate(`return (${source}\n);`);
  } catch {
    try {
      // Method shorthand (`name(a) { ... }`) is not an expression on its own.
      compiled = Object.values(evaluate(`return ({ ${source}\n });`) as object)[0];
    } catch (error) {
      throw new UnrunnableError(
        `the function's source text could not be compiled in the host (${describeThrown(error)}); ` +
          'native and bound functions cannot be sent, use a FunctionRef instead',
      );
    }
  }
  if (typeof compiled !== 'function') throw new UnrunnableError('the source text did not evaluate to a function');
  if (compiledSources.size >= MAX_CACHED_SOURCES) compiledSources.clear();
  compiledSources.set(source, compiled as AnyFunction);
  return compiled as AnyFunction;
}

/** Runs a function body built from the caller's source text: compiling that text is this module's job. */
function evaluate(body: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiling sent source text is the feature (runFunction with a plain function)
  const compiled = new Function(body) as () => unknown;
  return compiled();
}

/** Loaded exports by module URL, then export name: two lookups, no key built per call. */
const resolvedExports = new Map<string, Map<string, AnyFunction>>();

async function importExport(url: string, exportName: string): Promise<AnyFunction> {
  let loading = importedModules.get(url);
  if (loading === undefined) {
    loading = import(url) as Promise<Record<string, unknown>>;
    importedModules.set(url, loading);
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = await loading;
  } catch (error) {
    importedModules.delete(url);
    throw new UnrunnableError(`cannot load module ${url}: ${describeThrown(error)}`);
  }
  if (!(exportName in namespace)) throw new UnrunnableError(`module ${url} has no export '${exportName}'`);
  const value = namespace[exportName];
  if (typeof value !== 'function') {
    throw new UnrunnableError(`export '${exportName}' of ${url} is not a function (it is ${typeOf(value)})`);
  }
  let byName = resolvedExports.get(url);
  if (byName === undefined) resolvedExports.set(url, (byName = new Map<string, AnyFunction>()));
  byName.set(exportName, value as AnyFunction);
  return value as AnyFunction;
}

/** The function at once when it was loaded before (the hot path), else a promise of it. */
function resolveTarget(target: CallTarget): AnyFunction | Promise<AnyFunction> {
  if (target.kind === 'source') return compileSource(target.source);
  return resolvedExports.get(target.url)?.get(target.exportName) ?? importExport(target.url, target.exportName);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function returned(value: unknown): CallOutcome {
  // Functions and symbols never survive structured cloning; say so without a failed post.
  if (typeof value === 'function' || typeof value === 'symbol') {
    return { kind: 'unrunnable', message: `the result could not be sent back: a ${typeof value} cannot be cloned` };
  }
  return { kind: 'returned', value };
}

function unrunnable(error: unknown): CallOutcome {
  return { kind: 'unrunnable', message: error instanceof UnrunnableError ? error.message : describeThrown(error) };
}

function invoke(fn: AnyFunction, request: CallRequest): CallOutcome | Promise<CallOutcome> {
  let value: unknown;
  try {
    value = fn(...request.args);
  } catch (error) {
    return describeThrow(error, request.target);
  }
  if (!isThenable(value)) return returned(value);
  return Promise.resolve(value).then(returned, (error: unknown) => describeThrow(error, request.target));
}

/**
 * Runs the call; the outcome says whether it returned, threw, or could not be run at all.
 * Synchronous (no promise) when the function is already loaded and returns a plain value.
 */
export function executeCall(request: CallRequest): CallOutcome | Promise<CallOutcome> {
  let fn: AnyFunction | Promise<AnyFunction>;
  try {
    fn = resolveTarget(request.target);
  } catch (error) {
    return unrunnable(error);
  }
  if (typeof fn === 'function') return invoke(fn, request);
  return fn.then((loaded) => invoke(loaded, request), unrunnable);
}

/** What a throw becomes: a 'threw' outcome. `target`, when known, adds the source-text hint. */
export function describeThrow(error: unknown, target?: CallTarget): CallOutcome {
  if (!(error instanceof Error)) {
    return { kind: 'threw', message: describeThrown(error), errorType: null, stack: null };
  }
  let message = error.message;
  // The usual mistake with source-text functions: using a variable from the caller's scope.
  if (error.name === 'ReferenceError' && target?.kind === 'source') {
    message += ' (a plain function is sent by its source text, so it cannot use variables from outside itself)';
  }
  return { kind: 'threw', message, errorType: error.name, stack: error.stack ?? null };
}

export function describeThrown(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return typeOf(error);
  }
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
