// Turns runScripts() input into the ScriptSpec of each script, built only when that script
// starts (and dropped when it ends), so a run of any size holds at most `concurrency` specs
// and one snapshot of process.env. Options merge runner defaults < run options < the
// script's config (found by absolute path, the path as given, the path relative to the
// working folder, or the basename when only one of the run's scripts has it). Every
// config and the defaults are validated when the plan is made: a bad option throws TypeError
// before any child starts; a script whose spec cannot be built is planned as 'error'.
import path from 'node:path';
import { ScriptPreparer } from '../script/prepare-script.ts';
import { snapshotProcessEnv } from '../script/resolve-spec.ts';
import type { ParsedRunScriptOptions } from '../script/validate-options.ts';
import type { RunScriptOptions, ScriptSpec } from '../script/types.ts';
import type { PlannedScript, ScriptRef } from '../seam/planned-script.ts';

/** Per-script overrides; `configs` is keyed by path (relative or absolute) or unique basename. */
export interface ScriptConfig {
  timeoutMs?: number;
  allowedExitCodes?: number[];
  args?: string[];
  env?: Record<string, string>;
  memoryLimitMb?: number;
  cpuTimeLimitS?: number;
  /** Extra runs after a failed or timed-out one. @default the run's / runner's retries */
  retries?: number;
}

export interface PlanDefaults {
  /** a number, or each script's own (e.g. from its history) */
  timeoutMs: number | ((script: string) => number);
  memoryLimitMb?: number;
  cpuTimeLimitS?: number;
  python?: string;
  retries: number;
  cwd?: string;
  env?: Record<string, string>;
  configs?: Record<string, ScriptConfig>;
  inheritEnv?: boolean;
  envAllowList?: string[];
  startMethod?: RunScriptOptions['startMethod'];
  /** Modules the fork server imports before forking (startMethod 'forkserver'). */
  preload?: string[];
  /** `python -m module script args...` for every script */
  module?: string;
  /** every script's first arguments; its config's args follow */
  args?: string[];
  recordImports?: boolean;
  /** Output is also delivered live (runScripts' onOutput). */
  liveOutput?: boolean;
  /** A passing script that left processes running is 'failed'. */
  failOnLeftovers?: boolean;
}

/**
 * Finds a script's config: absolute path first, then the path as given, then the path
 * relative to the working folder, then the basename when `byName` allows it (unique names).
 */
export function findScriptConfig(
  configs: Record<string, ScriptConfig> | undefined,
  given: string,
  absolute: string,
  byName: (name: string) => boolean = () => true,
): { key: string; config: ScriptConfig } | null {
  if (!configs) return null;
  const relative = path.relative(process.cwd(), absolute).split(path.sep).join('/');
  for (const key of [absolute, given, relative]) {
    if (Object.hasOwn(configs, key)) return { key, config: configs[key] };
  }
  const name = path.basename(absolute);
  return Object.hasOwn(configs, name) && byName(name) ? { key: name, config: configs[name] } : null;
}

/**
 * The bare-name keys of `configs` that may stand for a script's basename: those only one of
 * the scripts has. A bare name two scripts share, with no script at that relative path, is
 * a TypeError naming both.
 */
export function uniqueNameKeys(
  configs: Record<string, ScriptConfig> | undefined,
  scripts: readonly string[],
): Set<string> {
  const bare = Object.keys(configs ?? {}).filter((key) => !key.includes('/') && !key.includes(path.sep));
  if (bare.length === 0) return new Set();
  const wanted = new Set(bare);
  const holders = new Map<string, string[]>();
  const atRelative = new Set<string>();
  for (const script of scripts) {
    const absolute = path.resolve(script);
    const name = path.basename(absolute);
    if (!wanted.has(name)) continue;
    if (path.relative(process.cwd(), absolute) === name || script === name) atRelative.add(name);
    holders.set(name, [...(holders.get(name) ?? []), script]);
  }
  const unique = new Set<string>();
  for (const [name, paths] of holders) {
    if (paths.length === 1) unique.add(name);
    else if (!atRelative.has(name))
      throw new TypeError(
        `configs[${JSON.stringify(name)}]: ${paths.length} scripts are named ${name} (${paths.slice(0, 2).join(' and ')}${paths.length > 2 ? ', ...' : ''}); key the config by path relative to the working folder`,
      );
  }
  return unique;
}

/** A run's scripts, validated up front, resolved one at a time as they start. */
export class Plan {
  readonly #scripts: readonly string[];
  readonly #defaults: PlanDefaults;
  readonly #preparer: ScriptPreparer;
  readonly #parsedDefault: ParsedRunScriptOptions;
  readonly #parsedByKey = new Map<string, ParsedRunScriptOptions>();
  readonly #uniqueNames: Set<string>;

  /** @param python the runner's interpreter, found once (or the Error finding it gave) */
  constructor(scripts: readonly string[], defaults: PlanDefaults, python: string | Error) {
    this.#scripts = scripts;
    this.#defaults = defaults;
    // One snapshot of process.env for the whole run; its scripts share their child environments.
    const preparer = new ScriptPreparer(python, { base: snapshotProcessEnv(), share: true });
    this.#preparer = preparer;
    this.#uniqueNames = uniqueNameKeys(defaults.configs, scripts);
    // Throws TypeError naming e.g. configs["a.py"].timeoutMs, or a start method the
    // interpreter cannot serve: refused before anything runs.
    this.#parsedDefault = preparer.parse(mergeOptions(defaults, {}), 'options');
    for (const [key, config] of Object.entries(defaults.configs ?? {})) {
      this.#parsedByKey.set(key, preparer.parse(mergeOptions(defaults, config), `configs[${JSON.stringify(key)}]`));
    }
  }

  get size(): number {
    return this.#scripts.length;
  }

  ref(index: number): ScriptRef {
    const script = path.resolve(this.#scripts[index]);
    return { index, script, name: path.basename(script) };
  }

  /** The script ready to run: its spec is built now, from the run's one environment snapshot. */
  resolve(index: number): PlannedScript {
    const ref = this.ref(index);
    const found = findScriptConfig(this.#defaults.configs, this.#scripts[index], ref.script, (name) =>
      this.#uniqueNames.has(name),
    );
    const retries = found?.config.retries ?? this.#defaults.retries;
    const python = this.#preparer.python;
    if (python instanceof Error) return planned(ref, null, python.message, retries);
    let parsed = found ? this.#parsedByKey.get(found.key)! : this.#parsedDefault;
    const { timeoutMs } = this.#defaults;
    if (typeof timeoutMs === 'function' && found?.config.timeoutMs === undefined)
      parsed = { ...parsed, timeoutMs: timeoutMs(ref.script) };
    try {
      const spec = this.#preparer.spec(ref.script, parsed);
      if (this.#defaults.liveOutput) spec.liveOutput = true;
      return planned(ref, spec, null, retries);
    } catch (error) {
      return planned(ref, null, (error as Error).message ?? String(error), retries);
    }
  }
}

/** Field by field: a spread into a literal costs microseconds a script in V8. */
function planned(ref: ScriptRef, spec: ScriptSpec | null, error: string | null, retries: number): PlannedScript {
  return { index: ref.index, script: ref.script, name: ref.name, spec, error, retries };
}

/** The merged options; a per-script timeout (a function) is validated here with a typical value and set per script in resolve(). */
function mergeOptions(defaults: PlanDefaults, config: ScriptConfig): RunScriptOptions {
  return {
    timeoutMs: config.timeoutMs ?? (typeof defaults.timeoutMs === 'number' ? defaults.timeoutMs : 60_000),
    ...(defaults.cwd !== undefined && { cwd: defaults.cwd }),
    ...((defaults.env || config.env) && { env: { ...defaults.env, ...config.env } }),
    ...((config.args || defaults.args) && { args: [...(defaults.args ?? []), ...(config.args ?? [])] }),
    ...(config.allowedExitCodes && { allowedExitCodes: config.allowedExitCodes }),
    ...((config.memoryLimitMb ?? defaults.memoryLimitMb) !== undefined && {
      memoryLimitMb: config.memoryLimitMb ?? defaults.memoryLimitMb,
    }),
    ...((config.cpuTimeLimitS ?? defaults.cpuTimeLimitS) !== undefined && {
      cpuTimeLimitS: config.cpuTimeLimitS ?? defaults.cpuTimeLimitS,
    }),
    ...(defaults.python !== undefined && { python: defaults.python }),
    ...(defaults.inheritEnv !== undefined && { inheritEnv: defaults.inheritEnv }),
    ...(defaults.envAllowList !== undefined && { envAllowList: defaults.envAllowList }),
    ...(defaults.startMethod !== undefined && { startMethod: defaults.startMethod }),
    ...(defaults.preload !== undefined && { preload: defaults.preload }),
    ...(defaults.module !== undefined && { module: defaults.module }),
    ...(defaults.failOnLeftovers && { failOnLeftovers: true }),
    ...(defaults.recordImports !== undefined && { recordImports: defaults.recordImports }),
  };
}
