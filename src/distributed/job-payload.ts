// Owns what travels in a BullMQ job: a script by its path relative to the shared root and
// the options the caller chose, never code and never the coordinator's environment. The
// coordinator turns a resolved ScriptSpec into ScriptJobData; each worker rebuilds a spec
// against its own checkout (root), interpreter and environment, under its JobPolicy.
import path from 'node:path';
import type { ScriptPreparer } from '../script/prepare-script.ts';
import { buildChildEnv } from '../script/resolve-spec.ts';
import type { ScriptSpec, StartMethod } from '../script/types.ts';
import type { ParsedRunScriptOptions } from '../script/validate-options.ts';
import type { EnvRule } from '../seam/backend-seam.ts';
import { containedRealpath } from './contained-path.ts';
import {
  checkDiscovered,
  checkJobEnv,
  checkNoNul,
  checkScriptLimits,
  checkTimeout,
  type JobPolicy,
} from './job-policy.ts';

export interface ScriptJobData {
  runId: string;
  index: number;
  /** relative to the shared root, '/'-separated */
  script: string;
  args: string[];
  /** relative to the shared root; null = the script's own folder */
  cwd: string | null;
  /** only the variables the caller set on top of the environment */
  env: Record<string, string>;
  /** false: the worker passes only `env` plus envAllowList of its own environment */
  inheritEnv: boolean;
  envAllowList: string[];
  timeoutMs: number;
  allowedExitCodes: number[];
  memoryLimitMb: number | null;
  cpuTimeLimitS: number | null;
  maxOutputBytes: number;
  killGraceMs: number;
  /** `python -m module script args...` when set */
  module?: string;
  /** a passing script that left processes running is 'failed' */
  failOnLeftovers?: boolean;
}

/** How a worker starts every job's script: its choices, never the job's. */
export interface WorkerRuntime {
  /** its interpreter, found once at start, over its environment snapshot (see jobBaseEnv) */
  preparer: ScriptPreparer;
  startMethod: StartMethod;
  /** modules its fork servers import before forking */
  preload: string[];
}

/** How a run builds its children's environment; travels with each job. */

const INHERIT: EnvRule = { inheritEnv: true, envAllowList: [] };

/** `absolute` relative to `root`, '/'-separated; null when it lies outside. */
export function portablePath(root: string, absolute: string): string | null {
  const relative = path.relative(root, absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? null : relative.split(path.sep).join('/');
}

function toPortable(root: string, absolute: string, what: string): string {
  const relative = portablePath(root, absolute);
  if (relative === null) throw new Error(`${what} ${absolute} is outside the shared root ${root}`);
  return relative;
}

/**
 * @param baselines a run's cache of the environment each script folder gets with no caller env
 * @throws Error (plain language) when the script or cwd lies outside `root`
 */
export function toJobData(
  spec: ScriptSpec,
  root: string,
  runId: string,
  index: number,
  envRule: EnvRule = INHERIT,
  baselines?: Map<string, Record<string, string>>,
): ScriptJobData {
  const scriptDir = path.dirname(spec.script);
  // What the spec's env would be with no caller env: the difference is what the caller set.
  let baseline = baselines?.get(scriptDir);
  if (!baseline) {
    baseline = buildChildEnv(scriptDir, { ...envRule, env: {} } as unknown as ParsedRunScriptOptions);
    baselines?.set(scriptDir, baseline);
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.env)) if (baseline[key] !== value) env[key] = value;
  return {
    runId,
    index,
    script: toPortable(root, spec.script, 'script'),
    args: spec.args,
    cwd: spec.cwd === scriptDir ? null : toPortable(root, spec.cwd, 'cwd'),
    env,
    inheritEnv: envRule.inheritEnv,
    envAllowList: envRule.envAllowList,
    timeoutMs: spec.timeoutMs,
    allowedExitCodes: spec.allowedExitCodes,
    memoryLimitMb: spec.memoryLimitMb,
    cpuTimeLimitS: spec.cpuTimeLimitS,
    maxOutputBytes: spec.maxOutputBytes,
    killGraceMs: spec.killGraceMs,
    ...(spec.module !== undefined && { module: spec.module }),
    ...(spec.failOnLeftovers && { failOnLeftovers: true }),
  };
}

/**
 * Rebuilds a spec on the worker. Job data is untrusted input: the worker's rules (policy)
 * apply first, then it is validated like any option. @throws Error saying what was refused
 */
export function toScriptSpec(data: ScriptJobData, policy: JobPolicy, runtime: WorkerRuntime): ScriptSpec {
  if (typeof data !== 'object' || data === null) throw new Error('the job carries no data');
  for (const [key, value] of Object.entries(data)) checkNoNul(value, key);
  if (typeof data.script !== 'string' || data.script === '') throw new Error('the job names no script');
  checkTimeout(data.timeoutMs, policy);
  checkScriptLimits(data, policy);
  if (typeof data.env === 'object' && data.env !== null) checkJobEnv(data.env, policy);
  const script = containedRealpath(policy.root, data.script, 'script');
  checkDiscovered(script, data.script, policy);
  const cwd =
    data.cwd === null || data.cwd === undefined ? undefined : containedRealpath(policy.root, String(data.cwd), 'cwd');
  return runtime.preparer.prepare(
    script,
    {
      timeoutMs: data.timeoutMs,
      args: data.args,
      env: data.env,
      inheritEnv: data.inheritEnv ?? true,
      envAllowList: data.envAllowList ?? [],
      allowedExitCodes: data.allowedExitCodes,
      ...(data.memoryLimitMb !== null && { memoryLimitMb: data.memoryLimitMb }),
      ...(data.cpuTimeLimitS !== null && { cpuTimeLimitS: data.cpuTimeLimitS }),
      maxOutputBytes: data.maxOutputBytes,
      killGraceMs: data.killGraceMs,
      ...(data.module !== undefined && { module: data.module }),
      ...(data.failOnLeftovers !== undefined && { failOnLeftovers: data.failOnLeftovers }),
      ...(cwd !== undefined && { cwd }),
      startMethod: runtime.startMethod,
      preload: runtime.preload,
    },
    'job data',
  ).spec;
}
