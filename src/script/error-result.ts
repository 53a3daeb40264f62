// Builds ScriptResults for runs that never got a child to supervise (missing script, bad
// interpreter, cancelled before start, supervisor thread lost). Every path that gives up on
// a script goes through here, so such results always carry a plain-language error.
import path from 'node:path';
import type { ScriptResult, ScriptStatus } from './types.ts';

/** The fields of a result that depend only on the script path. */
export function describeScript(script: string): Pick<ScriptResult, 'script' | 'name' | 'subdirectory'> {
  const absolute = path.resolve(script);
  return { script: absolute, name: path.basename(absolute), subdirectory: path.basename(path.dirname(absolute)) };
}

export function errorResult(
  script: string,
  message: string,
  status: ScriptStatus = 'error',
  startedAt: number = Date.now(),
): ScriptResult {
  const now = Date.now();
  return {
    ...describeScript(script),
    status,
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    error: message,
    startTime: new Date(startedAt).toISOString(),
    endTime: new Date(now).toISOString(),
    durationMs: now - startedAt,
    peakRssKb: null,
    cpuTimeMs: null,
    attempts: 1,
    pid: null,
  };
}
