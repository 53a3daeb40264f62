// Owns how flags and the config file combine into one run's settings. Run-wide: a flag wins
// over the config file's value, which wins over ergate's default (--env merges over the
// config's env). Per script: a config override whose glob matches is more specific and wins
// over both (later overrides win; env tables merge); the arguments after `--` follow the
// config's args. Only scripts with settings of their own get an entry in `configs`.
import type { ScriptConfig } from '../../parallel/build-plan.ts';
import type { ErgateConfig, ScriptSettings } from './config-file.ts';
import type { CliOptions } from './parse-cli-args.ts';
import { Excludes } from '../selection/excludes.ts';
import type { PathMatcher } from '../selection/path-glob.ts';
import { DEFAULT_PATTERN } from '../../internal/discovery-rules.ts';
import { PYTEST_PATTERN } from '../selection/pytest-root.ts';

export interface RunSettings {
  jobs?: number;
  timeoutMs?: number;
  memoryMb?: number;
  cpuTimeS?: number;
  retries: number;
  python?: string;
  /** --html, else the config file's `html` */
  html?: string;
  /** --fail-on-leftovers, else the config file's `failOnLeftovers` */
  failOnLeftovers: boolean;
  pattern: string;
  /** --pytest or the config's `pytest = true` */
  pytest: boolean;
  /** --exclude (relative to cwd) and the config's exclude (relative to its folder) */
  excluded: PathMatcher;
  /** the excludes themselves, which can name the globs that matched nothing */
  excludes: Excludes;
  /** run-wide env: the config file's, then --env */
  env?: Record<string, string>;
  /** per-script settings, keyed by absolute path (the runner's configs) */
  configsFor(scripts: readonly string[]): Record<string, ScriptConfig> | undefined;
}

export function resolveSettings(options: CliOptions, config: ErgateConfig | null): RunSettings {
  const d: ScriptSettings = config?.defaults ?? {};
  const pytest = options.pytest ?? config?.pytest ?? false;
  // In pytest mode -k is pytest's own test selection, so it goes to pytest with the args.
  const scriptArgs =
    pytest && options.keyword !== undefined ? ['-k', options.keyword, ...options.scriptArgs] : options.scriptArgs;
  const excludes = new Excludes(options.exclude, config);
  const env = d.env || options.env ? { ...d.env, ...options.env } : undefined;
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
    if (scriptArgs.length > 0) own.args = [...(own.args ?? []), ...scriptArgs];
    return Object.keys(own).length > 0 ? own : null;
  };
  return {
    jobs: options.jobs ?? config?.jobs,
    timeoutMs: options.timeoutMs ?? d.timeoutMs,
    memoryMb: options.memoryMb ?? d.memoryLimitMb,
    cpuTimeS: options.cpuTimeS ?? d.cpuTimeLimitS,
    retries: options.retries ?? d.retries ?? 0,
    python: options.python ?? config?.python,
    pytest,
    pattern:
      options.pattern ?? config?.pattern ?? ((options.pytest ?? config?.pytest) ? PYTEST_PATTERN : DEFAULT_PATTERN),
    html: options.html ?? config?.html,
    failOnLeftovers: options.failOnLeftovers ?? config?.failOnLeftovers ?? false,
    excluded: excludes.matches,
    excludes,
    ...(env && { env }),
    configsFor(scripts) {
      const fromConfig = config && (d.args || d.allowedExitCodes || config.overrides.length > 0);
      if (!fromConfig && scriptArgs.length === 0) return undefined;
      const configs: Record<string, ScriptConfig> = {};
      for (const script of scripts) {
        const own = perScript(script);
        if (own) configs[script] = own;
      }
      return configs;
    },
  };
}
