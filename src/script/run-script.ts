// runScript: one Python script, through the same supervisor path the parallel runner uses.
// Bad options reject with a TypeError before anything runs; everything that goes wrong with
// the script itself (missing file, bad interpreter, crash) is a result, never a rejection.
import os from 'node:os';
import { errorResult } from './script-result.ts';
import { prepareScript, type PreparedScript } from './prepare-script.ts';
import { SupervisorPool } from './supervisor-pool.ts';
import type { RunScriptOptions, ScriptResult } from './types.ts';
import { checkScriptPath, type ScriptPath } from './validate-options.ts';
import { bindToScope } from '../internal/current-scope.ts';

let sharedPool: SupervisorPool | null = null;

/** The process-wide pool behind runScript: created on first use, sized to the cores, unref'd. */
export function getDefaultSupervisorPool(): SupervisorPool {
  sharedPool ??= new SupervisorPool({ size: os.availableParallelism() });
  return sharedPool;
}

export async function runScript(scriptPath: ScriptPath, options?: RunScriptOptions): Promise<ScriptResult> {
  const script = checkScriptPath(scriptPath);
  let prepared: PreparedScript;
  try {
    prepared = await prepareScript(script, options);
  } catch (error) {
    // Bad options or a start method the interpreter cannot serve are bad usage; an
    // interpreter that cannot run is a result.
    if (error instanceof TypeError) throw error;
    return errorResult(script, (error as Error).message);
  }
  const { options: parsed, spec } = prepared;
  // Inside a task or job the script is bound to its scope (AsyncLocalStorage: the same after the await).
  const signal = bindToScope(parsed.signal, parsed.detached);
  return getDefaultSupervisorPool().run(spec, {
    signal,
    onOutput: parsed.onOutput,
    logger: parsed.logger,
    // A lone call belongs to no run, so it has no run slot (the pool's slot numbers are its own).
    lone: true,
  });
}
