// Boundary of runFunction: checks the function (or FunctionRef) and the options with valibot
// and resolves them into a trusted ValidCall. A bad option is a TypeError naming it; nothing
// past this file re-checks what it accepted.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as v from 'valibot';
import type { CallTarget, FunctionRef, RunFunctionOptions } from './types.ts';
import { bindingSignals } from '../internal/current-scope.ts';
import { defaultLogger, isLogger, LOGGER_EXPECTED, type ErgateLogger } from '../internal/logger.ts';
import { POSITIVE_MS_EXPECTED, unknownKeyHint } from '../internal/option-schemas.ts';

/** Node's setTimeout cannot wait longer than this (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
export const DEFAULT_TIMEOUT_MS = 60_000;

const optionsSchema = v.strictObject({
  args: v.optional(v.array(v.unknown(), 'an array of arguments')),
  timeoutMs: v.optional(
    v.pipe(
      v.number('a number of milliseconds'),
      v.finite('a finite number of milliseconds'),
      v.minValue(1, POSITIVE_MS_EXPECTED),
      v.maxValue(MAX_TIMEOUT_MS, `at most ${MAX_TIMEOUT_MS} ms`),
    ),
  ),
  memoryLimitMb: v.optional(
    v.pipe(
      v.number('a whole number of MiB'),
      v.integer('a whole number of MiB'),
      v.minValue(1, 'a positive whole number of MiB'),
    ),
  ),
  signal: v.optional(v.instance(AbortSignal, 'an AbortSignal')),
  name: v.optional(v.string('a string')),
  detached: v.optional(v.boolean('a boolean')),
  isolate: v.optional(v.picklist(['reused', 'fresh'], "'reused' or 'fresh'")),
  logger: v.optional(v.custom<ErgateLogger>(isLogger, LOGGER_EXPECTED)),
});

const refSchema = v.strictObject({
  module: v.union(
    [v.pipe(v.string(), v.nonEmpty('a non-empty path or a file URL')), v.instance(URL)],
    'a non-empty path or a file URL',
  ),
  export: v.optional(v.pipe(v.string('a string'), v.nonEmpty('a non-empty export name'))),
});

export interface ValidCall {
  target: CallTarget;
  args: unknown[];
  timeoutMs: number;
  memoryLimitMb: number | null;
  /** The caller's signal and the enclosing task's scope (unless detached): either one stops the call. */
  signals: AbortSignal[];
  name: string;
  fresh: boolean;
  logger: ErgateLogger;
}

function refuse(what: string, schema: v.GenericSchema, issues: v.BaseIssue<unknown>[]): never {
  const issue = issues[0];
  const key = issue.path?.map((item) => String(item.key)).join('.');
  const option = key ? `${what}.${key}` : what;
  if (issue.type === 'strict_object' && issue.expected === 'never')
    throw new TypeError(`${option} is not a known option${unknownKeyHint(schema, issue)}`);
  if (issue.received === 'undefined' && issue.message.startsWith('Invalid key'))
    throw new TypeError(`${option} is required`);
  throw new TypeError(`${option} must be ${issue.message}`);
}

// Resolved refs by module and export: the same ref is typically run thousands of times.
// Relative paths are not cached, since they depend on the current directory.
const MAX_CACHED_REFS = 1_000;
/** By module (its file URL's text, or an absolute path), then export name. */
const resolvedRefs = new Map<string, Map<string, { target: CallTarget; name: string }>>();

/** Object.keys(ref).length <= 2 without an array per call. */
function ownKeysAtMost2(ref: object): boolean {
  let count = 0;
  for (const key in ref) if (Object.hasOwn(ref, key) && ++count > 2) return false;
  return true;
}

function resolveRef(ref: FunctionRef): { target: CallTarget; name: string } {
  const { module, export: exportName = 'default' } = ref;
  // Two plain lookups by strings the caller usually holds already (a URL's href, a path, an
  // export name), whose hashes V8 keeps: no key is built per call.
  const moduleKey = module instanceof URL ? module.href : typeof module === 'string' ? module : null;
  const cacheable =
    moduleKey !== null &&
    (module instanceof URL || path.isAbsolute(moduleKey)) &&
    typeof exportName === 'string' &&
    ownKeysAtMost2(ref);
  if (!cacheable) return parseRef(ref);
  let byExport = resolvedRefs.get(moduleKey);
  const cached = byExport?.get(exportName);
  if (cached !== undefined) return cached;
  const resolved = parseRef(ref);
  if (byExport === undefined) {
    if (resolvedRefs.size >= MAX_CACHED_REFS) resolvedRefs.clear();
    resolvedRefs.set(moduleKey, (byExport = new Map<string, { target: CallTarget; name: string }>()));
  }
  byExport.set(exportName, resolved);
  return resolved;
}

function parseRef(ref: FunctionRef): { target: CallTarget; name: string } {
  const result = v.safeParse(refSchema, ref);
  if (!result.success) refuse('fn', refSchema, result.issues);
  const { module, export: exportName = 'default' } = result.output;
  let url: string;
  if (module instanceof URL || module.startsWith('file:')) {
    url = String(module);
    if (!url.startsWith('file:')) throw new TypeError(`fn.module must be a path or a file: URL, got ${url}`);
  } else {
    url = pathToFileURL(path.resolve(module)).href;
  }
  const base = path.basename(fileURLToPath(url)).replace(/\.[cm]?[jt]sx?$/, '');
  return { target: { kind: 'module', url, exportName }, name: exportName === 'default' ? base : exportName };
}

type ParsedOptions = v.InferOutput<typeof optionsSchema>;
const EMPTY: ParsedOptions = Object.freeze({});

function parseWithSchema(options: unknown): ParsedOptions {
  const result = v.safeParse(optionsSchema, options);
  if (!result.success) refuse('options', optionsSchema, result.issues);
  return result.output;
}

/**
 * The hot path (tens of thousands of calls a second): options of the common shape (a plain
 * object holding only args, timeoutMs and name, each plainly right) are used as they are. A
 * conservative subset of optionsSchema: false only means "let valibot decide" (and word the error).
 */
function isPlainlyValid(options: object): options is ParsedOptions {
  if (Object.getPrototypeOf(options) !== Object.prototype) return false;
  const o = options as Record<string, unknown>;
  for (const key in o) if (key !== 'args' && key !== 'timeoutMs' && key !== 'name') return false;
  const { timeoutMs } = o;
  return (
    (o.args === undefined || Array.isArray(o.args)) &&
    (timeoutMs === undefined || (typeof timeoutMs === 'number' && timeoutMs >= 1 && timeoutMs <= MAX_TIMEOUT_MS)) &&
    (o.name === undefined || typeof o.name === 'string')
  );
}

/** One target per function: its source text is read once, and calls share the object (cloned once per batch). */
const sourceTargets = new WeakMap<object, CallTarget>();

function sourceTarget(fn: object): CallTarget {
  let target = sourceTargets.get(fn);
  if (target === undefined) {
    target = { kind: 'source', source: Function.prototype.toString.call(fn) };
    sourceTargets.set(fn, target);
  }
  return target;
}

/** Kept by every call while it waits: most have no signal, and share this empty list. */
const NO_SIGNALS: AbortSignal[] = [];

function noneIfEmpty(signals: AbortSignal[]): AbortSignal[] {
  return signals.length === 0 ? NO_SIGNALS : signals;
}

/** Validates runFunction's arguments; throws a TypeError naming the first bad one. */
export function validateCall(fn: unknown, options: RunFunctionOptions | undefined): ValidCall {
  let target: CallTarget;
  let defaultName: string;
  if (typeof fn === 'function') {
    target = sourceTarget(fn);
    defaultName = fn.name || 'anonymous';
  } else if (typeof fn === 'object' && fn !== null) {
    ({ target, name: defaultName } = resolveRef(fn as FunctionRef));
  } else {
    throw new TypeError(
      `fn must be a function or a FunctionRef { module, export? }, got ${fn === null ? 'null' : typeof fn}`,
    );
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError('options must be an object');
  }
  const fast = options === undefined || isPlainlyValid(options);
  const o = options === undefined ? EMPTY : fast ? options : parseWithSchema(options);
  return {
    target,
    // The schema's output is a copy; so is the fast path's (a queued call must not see the
    // caller's later changes to the array).
    args: o.args === undefined ? [] : fast ? o.args.slice() : o.args,
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    memoryLimitMb: o.memoryLimitMb ?? null,
    // Read now, before any await: the scope of the task that made the call.
    signals: noneIfEmpty(bindingSignals(o.signal, o.detached)),
    name: o.name ?? defaultName,
    fresh: o.isolate === 'fresh',
    logger: o.logger ?? defaultLogger,
  };
}
