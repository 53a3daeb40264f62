// Owns how flags and the config file combine into one run's settings. Run-wide: a flag wins
// over the config file's value, which wins over ergate's default. Per script: a config
// override whose glob matches is more specific and wins over both (later overrides win;
// env tables merge). Only scripts with settings of their own get an entry in `configs`.
import path from 'node:path';
import type { ScriptConfig } from '../../parallel/build-plan.ts';
import type { ErgateConfig, ScriptSettings } from './config-file.ts';
import type { CliOptions } from './parse-cli-args.ts';
import { globMatcher, type PathMatcher } from '../selection/path-glob.ts';
import { DEFAULT_PATTERN } from '../../internal/discovery-rules.ts';

export interface RunSettings {
  jobs?: number;
  timeoutMs?: number;
  memoryMb?: number;
  cpuTimeS?: number;
  retries: number;
  python?: string;
  /** --html, else the config file's `html` */
  html?: string;
  pattern: string;
  /** --exclude (relative to cwd) and the config's exclude (relative to its folder) */
  excluded: PathMatcher;
  /** run-wide env from the config file */
  env?: Record<string, string>;
  /** per-script settings, keyed by absolute path (the runner's configs) */
  configsFor(scripts: readonly string[]): Record<string, ScriptConfig> | undefined;
}

export function resolveSettings(options: CliOptions, config: ErgateConfig | null): RunSettings {
  const d: ScriptSettings = config?.defaults ?? {};
  const perScript = (script: string): ScriptConfig | null => {
    const own: ScriptConfig = {};
    if (d.args) own.args = d.args;
    if (d.allowedExitCodes) own.allowedExitCodes = d.allowedExitCodes;
    for (const { matches, settings } of config?.overrides ?? []) {
      if (!matches(script)) continue;
      const { env, ...rest } = settings;
      Object.assign(own, rest);
      if (env) own.env = { ...own.env, ...env };
    }
    return Object.keys(own).length > 0 ? own : null;
  };
  return {
    jobs: options.jobs ?? config?.jobs,
    timeoutMs: options.timeoutMs ?? d.timeoutMs,
    memoryMb: options.memoryMb ?? d.memoryLimitMb,
    cpuTimeS: options.cpuTimeS ?? d.cpuTimeLimitS,
    retries: options.retries ?? d.retries ?? 0,
    python: options.python ?? config?.python,
    html: options.html ?? config?.html,
    pattern: options.pattern ?? config?.pattern ?? DEFAULT_PATTERN,
    excluded: excludedBy(options.exclude, config),
    ...(d.env && { env: d.env }),
    configsFor(scripts) {
      if (!config || (!d.args && !d.allowedExitCodes && config.overrides.length === 0)) return undefined;
      const configs: Record<string, ScriptConfig> = {};
      for (const script of scripts) {
        const own = perScript(script);
        if (own) configs[script] = own;
      }
      return configs;
    },
  };
}

function excludedBy(globs: string[], config: ErgateConfig | null): PathMatcher {
  const matchers = [globMatcher(globs, process.cwd())];
  if (config && config.exclude.length > 0) matchers.push(globMatcher(config.exclude, path.dirname(config.file)));
  return (script) => matchers.some((matches) => matches(script));
}
