// Turns runScripts() input into one fully resolved ScriptSpec per script, before anything
// starts: runner defaults < run options < the script's config (found by absolute path, by
// the path as given, or by basename). A bad option throws TypeError here, so a run with a
// bad config never starts a child; a script whose spec cannot be built is planned as 'error'.
import path from 'node:path';
import { parseRunScriptOptions } from '../script/validate-options.ts';
import { resolveScriptSpec, snapshotProcessEnv } from '../script/resolve-spec.ts';
import type { RunScriptOptions, ScriptSpec } from '../script/types.ts';

/** Per-script overrides; keyed by basename (contract) or absolute path in `configs`. */
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
  /** Output is also delivered live (runScripts' onOutput). */
  liveOutput?: boolean;
}

export interface PlannedScript {
  index: number;
  /** absolute path */
  script: string;
  name: string;
  /** null when the script cannot be run at all; `error` then says why */
  spec: ScriptSpec | null;
  error: string | null;
  retries: number;
}

/** Finds a script's config: absolute path first, then the path as given, then basename. */
export function findScriptConfig(
  configs: Record<string, ScriptConfig> | undefined,
  given: string,
  absolute: string,
): { key: string; config: ScriptConfig } | null {
  if (!configs) return null;
  for (const key of [absolute, given, path.basename(absolute)]) {
    if (Object.hasOwn(configs, key)) return { key, config: configs[key] };
  }
  return null;
}

export function buildPlan(scripts: string[], defaults: PlanDefaults, python: string | Error): PlannedScript[] {
  const baseEnv = snapshotProcessEnv();
  return scripts.map((given, index) => {
    const script = path.resolve(given);
    const name = path.basename(script);
    const found = findScriptConfig(defaults.configs, given, script);
    const config = found?.config ?? {};
    const options: RunScriptOptions = {
      timeoutMs: config.timeoutMs ?? (typeof defaults.timeoutMs === 'number' ? defaults.timeoutMs : defaults.timeoutMs(script)),
      ...(defaults.cwd !== undefined && { cwd: defaults.cwd }),
      ...((defaults.env || config.env) && { env: { ...defaults.env, ...config.env } }),
      ...(config.args && { args: config.args }),
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
    };
    // Throws TypeError naming e.g. configs["a.py"].timeoutMs: refused before anything runs.
    const parsed = parseRunScriptOptions(options, found ? `configs[${JSON.stringify(found.key)}]` : 'options');
    const retries = config.retries ?? defaults.retries;
    if (python instanceof Error) return { index, script, name, spec: null, error: python.message, retries };
    try {
      const spec = resolveScriptSpec(script, parsed, python, baseEnv);
      if (defaults.liveOutput) spec.liveOutput = true;
      return { index, script, name, spec, error: null, retries };
    } catch (error) {
      if (error instanceof TypeError) throw error;
      return { index, script, name, spec: null, error: (error as Error).message ?? String(error), retries };
    }
  });
}
