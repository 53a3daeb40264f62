// Turns a script path plus validated options into the ScriptSpec a supervisor runs: absolute
// paths, the real interpreter, the complete child environment. Pure and synchronous apart
// from a few cached stat() calls for the PYTHONPATH rule; existence of the script is checked
// by the supervisor, so the parallel runner gets the same 'error' results as runScript.
import fs from 'node:fs';
import path from 'node:path';
import { fsPath } from '../internal/byte-names.ts';
import type { ScriptSpec } from './types.ts';
import type { ParsedRunScriptOptions } from './validate-options.ts';

/** How many folders are searched for a `src` folder: the script's own and 4 above it, as the
 *  seed's `_find_project_root` does. */
const SEARCHED_FOLDERS = 5;
const rootCache = new Map<string, string | null>();

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(fsPath(p)).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest of `dir` and the 4 folders above it that holds a `src` folder. */
export function findSourceRoot(dir: string): string | null {
  const cached = rootCache.get(dir);
  if (cached !== undefined) return cached;
  let root: string | null = null;
  let current = dir;
  for (let level = 0; level < SEARCHED_FOLDERS; level++) {
    if (isDirectory(path.join(current, 'src'))) {
      root = current;
      break;
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  rootCache.set(dir, root);
  return root;
}

/**
 * process.env as a plain object. Every read of process.env goes through the C environment
 * (~30 µs for a whole copy), so a runner resolving a whole run takes one snapshot for all.
 */
export function snapshotProcessEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, value] of Object.entries(process.env)) if (value !== undefined) env[k] = value;
  return env;
}

/** process.env (or only envAllowList of it), then options.env, then ergate's own variables. */
export function buildChildEnv(
  scriptDir: string,
  options: ParsedRunScriptOptions,
  base: Record<string, string> = snapshotProcessEnv(),
): Record<string, string> {
  const env: Record<string, string> = {};
  if (options.inheritEnv) {
    Object.assign(env, base);
  } else {
    for (const k of options.envAllowList) if (base[k] !== undefined) env[k] = base[k]!;
  }
  Object.assign(env, options.env);
  // Output must survive a kill: an unbuffered child loses nothing it printed.
  env.PYTHONUNBUFFERED = '1';
  const root = findSourceRoot(scriptDir);
  if (root) {
    const extra = [path.join(root, 'src'), path.join(root, 'scripts')];
    env.PYTHONPATH = [...extra, ...(env.PYTHONPATH ? [env.PYTHONPATH] : [])].join(path.delimiter);
  }
  return env;
}

/**
 * Child environments a run already built, by options object and source root: its scripts
 * share one object each (read-only once built), so a launcher diffs it once, not per script.
 */
export type ChildEnvCache = WeakMap<ParsedRunScriptOptions, Map<string | null, Record<string, string>>>;

function sharedChildEnv(
  scriptDir: string,
  options: ParsedRunScriptOptions,
  base: Record<string, string>,
  cache: ChildEnvCache,
): Record<string, string> {
  let byRoot = cache.get(options);
  if (!byRoot) cache.set(options, (byRoot = new Map<string | null, Record<string, string>>()));
  const root = findSourceRoot(scriptDir);
  let env = byRoot.get(root);
  if (!env) byRoot.set(root, (env = buildChildEnv(scriptDir, options, base)));
  return env;
}

/**
 * @param baseEnv the process environment to start from (a snapshot shared by a whole run)
 * @param envCache where a run keeps the environments it built (each spec builds its own without)
 */
export function resolveScriptSpec(
  scriptPath: string,
  options: ParsedRunScriptOptions,
  python: string,
  baseEnv: Record<string, string> = snapshotProcessEnv(),
  envCache?: ChildEnvCache,
): ScriptSpec {
  const script = path.resolve(scriptPath);
  const scriptDir = path.dirname(script);
  return {
    script,
    python,
    args: options.args,
    cwd: options.cwd ? path.resolve(options.cwd) : scriptDir,
    env: envCache ? sharedChildEnv(scriptDir, options, baseEnv, envCache) : buildChildEnv(scriptDir, options, baseEnv),
    timeoutMs: options.timeoutMs,
    allowedExitCodes: options.allowedExitCodes,
    memoryLimitMb: options.memoryLimitMb ?? null,
    cpuTimeLimitS: options.cpuTimeLimitS ?? null,
    maxOutputBytes: options.maxOutputBytes,
    killGraceMs: options.killGraceMs,
    startMethod: options.startMethod,
    preload: options.preload,
    module: options.module,
    recordImports: options.recordImports,
    liveOutput: options.onOutput !== undefined,
    failOnLeftovers: options.failOnLeftovers,
  };
}
