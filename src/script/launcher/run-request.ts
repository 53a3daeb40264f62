// Owns what a launcher is sent to start one script: the run's fields encoded as a request,
// its environment as changes to the launcher's own, and the files its child writes to (as
// fields of their own: a new path every run must not defeat the launcher's cached environment).
// Invariant: no request larger than MAX_REQUEST_BYTES is written; such a run fails instead.
import { encodeRequest, type LaunchRequest } from './protocol.ts';

/** The largest request a launcher is sent (args and environment changes, encoded). */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** A run's fields; junitXml and importsFile travel as request fields, never in envSet. */
export type RunFields = Omit<LaunchRequest, 'op' | 'id' | 'envSet' | 'envUnset'> & {
  env: Record<string, string>;
};

export type EnvChanges = Pick<LaunchRequest, 'envSet' | 'envUnset'>;

/** The changes that turn `base` into `env` (a request usually carries none). */
export function diffEnvironment(base: Record<string, string>, env: Record<string, string>): EnvChanges {
  const envSet: Record<string, string> = {};
  const envUnset: string[] = [];
  for (const name in env) if (base[name] !== env[name]) envSet[name] = env[name]!;
  for (const name in base) if (!(name in env)) envUnset.push(name);
  return { envSet, envUnset };
}

/** Why a run whose request is `bytes` long cannot be sent. */
export function tooLarge(bytes: number): string {
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `could not start the script: its arguments and environment take ${mib(bytes)}, more than the ${mib(MAX_REQUEST_BYTES)} a script can be sent`;
}

/** Run `id` as the bytes a launcher reads; `changes` turn the launcher's environment into the run's. */
export function encodeRunRequest(id: number, fields: RunFields, changes: EnvChanges): Buffer {
  // Written out field by field: object rest and spread cost tens of µs a request in V8.
  return encodeRequest({
    op: 'run',
    id,
    python: fields.python,
    script: fields.script,
    module: fields.module,
    args: fields.args,
    cwd: fields.cwd,
    envSet: changes.envSet,
    envUnset: changes.envUnset,
    memoryLimitMb: fields.memoryLimitMb,
    cpuTimeLimitS: fields.cpuTimeLimitS,
    timeoutMs: fields.timeoutMs,
    killGraceMs: fields.killGraceMs,
    maxOutputBytes: fields.maxOutputBytes,
    live: fields.live,
    junitXml: fields.junitXml,
    importsFile: fields.importsFile,
  });
}
