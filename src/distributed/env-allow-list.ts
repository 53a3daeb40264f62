// Owns which environment variables a job may set on a worker: default deny. A job may set a
// short list of harmless names, plus what the worker names with --allow-env (a NAME, or a
// PREFIX_* pattern). Invariant: anything else is refused with a message naming the variable
// and the flag, whether the worker says so (the job's result) or a coordinator that knows
// the workers' lists says so before queueing.

/** Names every worker lets a job set: they change no code path a job could use to run its own code. */
export const DEFAULT_ALLOWED_ENV: readonly string[] = [
  'PYTHONUNBUFFERED',
  'PYTHONIOENCODING',
  'PYTHONHASHSEED',
  'PYTHONDONTWRITEBYTECODE',
  'PYTHONUTF8',
  'PYTHONFAULTHANDLER',
  'NO_COLOR',
  'FORCE_COLOR',
];

/** A NAME, or PREFIX_* (a non-empty prefix then one trailing '*'). */
export const ALLOW_ENV_PATTERN = /^[^=\0*]+\*?$/;

export class EnvAllowList {
  /** the worker's --allow-env entries, as given */
  readonly patterns: readonly string[];
  readonly #names: ReadonlySet<string>;
  readonly #prefixes: readonly string[];

  /** @param patterns already validated against ALLOW_ENV_PATTERN */
  constructor(patterns: readonly string[] = []) {
    this.patterns = patterns;
    this.#names = new Set([...DEFAULT_ALLOWED_ENV, ...patterns.filter((p) => !p.endsWith('*'))]);
    this.#prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  }

  allows(name: string): boolean {
    return this.#names.has(name) || this.#prefixes.some((prefix) => name.startsWith(prefix));
  }

  /** The first name of `env` not allowed, or null. */
  firstRefused(env: Record<string, unknown>): string | null {
    for (const name of Object.keys(env)) if (!this.allows(name)) return name;
    return null;
  }
}

/** The worker's words for a refused variable (the job's 'error'). */
export function refusedByWorker(name: string): string {
  return `refused: the job sets ${name}, which this worker passes only when started with --allow-env ${name}`;
}

/** The coordinator's words, before queueing, when no worker it knows of would pass the variable. */
export function refusedByEveryWorker(name: string, queue: string): string {
  return `refused before queueing: the job sets ${name}, which no worker on queue ${queue} passes; start them with --allow-env ${name}`;
}
