// The one way script options become a ScriptSpec: parse (a TypeError naming the option) ->
// find Python -> check the start method -> build the spec. Invariant: a runner or worker finds
// its interpreter once (a ScriptPreparer) and prepares every script against it, never per
// script; runScript and the CLI take the same steps through prepareScript and findPreparer.
import { checkStartMethod, resolvePython } from './python.ts';
import { resolveScriptSpec, snapshotProcessEnv, type ChildEnvCache } from './resolve-spec.ts';
import type { ScriptSpec, StartMethod } from './types.ts';
import { parseRunScriptOptions, type ParsedRunScriptOptions } from './validate-options.ts';

/** A script's checked options and the spec built from them. */
export interface PreparedScript {
  options: ParsedRunScriptOptions;
  spec: ScriptSpec;
}

/** Where a preparer's specs take their environment from. */
export interface PreparerEnv {
  /** the process environment to start from, snapshotted once @default process.env now, per spec */
  base?: Record<string, string>;
  /** share one child environment per options object and source root (a run's scripts) */
  share?: boolean;
}

/**
 * An interpreter found once, and the specs built against it. It may hold the Error that
 * finding it gave: options still parse (bad usage is refused first), and each spec then
 * throws that Error (a runner makes it every script's 'error').
 */
export class ScriptPreparer {
  readonly #python: string | Error;
  readonly #base: Record<string, string> | undefined;
  readonly #envs: ChildEnvCache | undefined;

  constructor(python: string | Error, env: PreparerEnv = {}) {
    this.#python = python;
    this.#base = env.base;
    this.#envs = env.share ? new WeakMap() : undefined;
  }

  /** Specs run by each worker's own interpreter: only paths, arguments, limits and env travel. */
  static remote(): ScriptPreparer {
    return new ScriptPreparer('');
  }

  /** The interpreter's executable, or the Error finding it gave. */
  get python(): string | Error {
    return this.#python;
  }

  /** @throws TypeError when the interpreter is a Python `startMethod` cannot serve */
  checkStartMethod(startMethod: StartMethod): void {
    if (typeof this.#python === 'string') checkStartMethod(this.#python, startMethod);
  }

  /** Parses and checks: @throws TypeError naming the option, or the start method the interpreter cannot serve */
  parse(options: unknown, what = 'options'): ParsedRunScriptOptions {
    const parsed = parseRunScriptOptions(options, what);
    this.checkStartMethod(parsed.startMethod);
    return parsed;
  }

  /** Builds the spec of options `parse` returned. @throws the Error finding the interpreter gave */
  spec(scriptPath: string, parsed: ParsedRunScriptOptions): ScriptSpec {
    if (this.#python instanceof Error) throw this.#python;
    return resolveScriptSpec(scriptPath, parsed, this.#python, this.#base ?? snapshotProcessEnv(), this.#envs);
  }

  /** parse, then spec. */
  prepare(scriptPath: string, options: unknown, what = 'options'): PreparedScript {
    const parsed = this.parse(options, what);
    return { options: parsed, spec: this.spec(scriptPath, parsed) };
  }
}

/**
 * Finds `python` (options.python, else $ERGATE_PYTHON, else python3; cached per process) and,
 * when `startMethod` is given, checks it can serve that start method.
 * @returns the real executable
 * @throws Error when the interpreter cannot run; TypeError when the start method cannot serve it
 */
export async function findInterpreter(python: string | undefined, startMethod?: StartMethod): Promise<string> {
  const executable = await resolvePython(python);
  if (startMethod !== undefined) checkStartMethod(executable, startMethod);
  return executable;
}

/** findInterpreter, as a preparer of specs over `env`. */
export async function findPreparer(
  python: string | undefined,
  startMethod?: StartMethod,
  env?: PreparerEnv,
): Promise<ScriptPreparer> {
  return new ScriptPreparer(await findInterpreter(python, startMethod), env);
}

/**
 * parse -> find Python -> check the start method -> build the spec, for one script.
 * @throws TypeError for bad options or a start method the interpreter cannot serve; Error
 * (plain language) when the interpreter cannot run
 */
export async function prepareScript(scriptPath: string, options: unknown, what = 'options'): Promise<PreparedScript> {
  const parsed = parseRunScriptOptions(options, what);
  const preparer = await findPreparer(parsed.python, parsed.startMethod);
  return { options: parsed, spec: preparer.spec(scriptPath, parsed) };
}
