// Owns what travels in a BullMQ job: a script by its path relative to the shared root and
// the options the caller chose, never code and never the coordinator's environment. The
// coordinator turns a resolved ScriptSpec into ScriptJobData; each worker rebuilds a spec
// against its own checkout (root), interpreter and environment.
import path from 'node:path';
import { buildChildEnv, resolveScriptSpec } from '../script/resolve-spec.ts';
import type { ScriptSpec } from '../script/types.ts';
import { parseRunScriptOptions, type ParsedRunScriptOptions } from '../script/validate-options.ts';

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
  timeoutMs: number;
  allowedExitCodes: number[];
  memoryLimitMb: number | null;
  cpuTimeLimitS: number | null;
  maxOutputBytes: number;
  killGraceMs: number;
}

function toPortable(root: string, absolute: string, what: string): string {
  const relative = path.relative(root, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new Error(`${what} ${absolute} is outside the shared root ${root}`);
  }
  return relative.split(path.sep).join('/');
}

/** @throws Error (plain language) when the script or cwd lies outside `root` */
export function toJobData(spec: ScriptSpec, root: string, runId: string, index: number): ScriptJobData {
  const scriptDir = path.dirname(spec.script);
  // What the spec's env would be with no caller env: the difference is what the caller set.
  const baseline = buildChildEnv(scriptDir, { inheritEnv: true, env: {}, envAllowList: [] } as unknown as ParsedRunScriptOptions);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.env)) if (baseline[key] !== value) env[key] = value;
  return {
    runId,
    index,
    script: toPortable(root, spec.script, 'script'),
    args: spec.args,
    cwd: spec.cwd === scriptDir ? null : toPortable(root, spec.cwd, 'cwd'),
    env,
    timeoutMs: spec.timeoutMs,
    allowedExitCodes: spec.allowedExitCodes,
    memoryLimitMb: spec.memoryLimitMb,
    cpuTimeLimitS: spec.cpuTimeLimitS,
    maxOutputBytes: spec.maxOutputBytes,
    killGraceMs: spec.killGraceMs,
  };
}

/** The worker-side path of a job's script; @throws Error when it escapes the root. */
export function resolveJobScript(data: Pick<ScriptJobData, 'script'>, root: string): string {
  if (typeof data.script !== 'string' || data.script === '') throw new Error('the job names no script');
  const absolute = path.resolve(root, data.script);
  toPortable(root, absolute, 'script');
  return absolute;
}

/** Rebuilds a spec on the worker. Job data is untrusted input: it is validated like any option. */
export function toScriptSpec(data: ScriptJobData, root: string, python: string): ScriptSpec {
  const script = resolveJobScript(data, root);
  const cwd = data.cwd === null || data.cwd === undefined ? undefined : path.resolve(root, data.cwd);
  if (cwd !== undefined) toPortable(root, cwd, 'cwd');
  const parsed = parseRunScriptOptions({
    timeoutMs: data.timeoutMs,
    args: data.args,
    env: data.env,
    allowedExitCodes: data.allowedExitCodes,
    ...(data.memoryLimitMb !== null && { memoryLimitMb: data.memoryLimitMb }),
    ...(data.cpuTimeLimitS !== null && { cpuTimeLimitS: data.cpuTimeLimitS }),
    maxOutputBytes: data.maxOutputBytes,
    killGraceMs: data.killGraceMs,
    ...(cwd !== undefined && { cwd }),
  }, 'job data');
  return resolveScriptSpec(script, parsed, python);
}
