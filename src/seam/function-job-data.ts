// Owns a function as job data on the coordinator's side: a FunctionRef (a module path relative
// to the shared root, plus an export name) with JSON arguments; jobs carry no code. Checked
// when the job is scheduled (a TypeError), without loading BullMQ or src/distributed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionRef, RunFunctionOptions } from '../function/types.ts';

export interface FunctionJobData {
  runId: string;
  index: number;
  /** relative to the shared root, '/'-separated */
  module: string;
  export: string;
  /** JSON values only: BullMQ stores job data as JSON */
  args: unknown[];
  timeoutMs: number | null;
  memoryLimitMb: number | null;
  name: string | null;
}

function isFunctionRef(fn: unknown): fn is FunctionRef {
  return typeof fn === 'object' && fn !== null && 'module' in fn;
}

/**
 * @throws TypeError for a plain function, a module outside `root`, or arguments that are not JSON
 */
export function toFunctionJobData(
  fn: unknown,
  options: RunFunctionOptions,
  root: string,
  runId: string,
  index: number,
  what: string,
): FunctionJobData {
  if (typeof fn === 'function')
    throw new TypeError(`${what} fn: jobs carry no code: pass a FunctionRef { module, export } instead of a function`);
  if (
    !isFunctionRef(fn) ||
    (typeof fn.module !== 'string' && !(fn.module instanceof URL)) ||
    String(fn.module) === ''
  ) {
    throw new TypeError(
      `${what} fn: expected a FunctionRef { module: path or file URL, export?: string }, got ${fn === null ? 'null' : typeof fn}`,
    );
  }
  if (fn.export !== undefined && (typeof fn.export !== 'string' || fn.export === ''))
    throw new TypeError(`${what} fn.export: expected a non-empty string`);
  const text = String(fn.module);
  const absolute = fn.module instanceof URL || text.startsWith('file:') ? fileURLToPath(text) : path.resolve(text);
  const relative = path.relative(root, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new TypeError(
      `${what} fn.module: ${absolute} is outside the shared root ${root} (workers import modules from their own checkout)`,
    );
  }
  const args = options.args ?? [];
  let json: string;
  try {
    json = JSON.stringify(args);
  } catch (error) {
    throw new TypeError(
      `${what} options.args: expected JSON values (jobs are stored as JSON), ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    runId,
    index,
    module: relative.split(path.sep).join('/'),
    export: fn.export ?? 'default',
    args: JSON.parse(json) as unknown[],
    timeoutMs: options.timeoutMs ?? null,
    memoryLimitMb: options.memoryLimitMb ?? null,
    name: options.name ?? null,
  };
}
