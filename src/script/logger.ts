// Logging of script runs: a pino-compatible logger when given, else util.debuglog('ergate')
// (enabled with NODE_DEBUG=ergate). Entries carry script, status, exitCode and durationMs.
// The logger itself (and the entry shared with tasks, jobs and functions) is ../internal/logger.ts.
import { defaultLogger } from '../internal/logger.ts';
import type { ErgateLogger, ScriptResult } from './types.ts';

export { defaultLogger };

/** A throwing logger must never turn a script result into a crash. */
function safely(call: () => void): void {
  try {
    call();
  } catch {
    // ignored on purpose
  }
}

export function logStart(logger: ErgateLogger, script: string): void {
  safely(() => logger.debug({ script }, 'script started'));
}

export function logEnd(logger: ErgateLogger, result: ScriptResult): void {
  const entry = {
    event: 'script.end',
    name: result.name,
    script: result.script,
    status: result.status,
    exitCode: result.exitCode,
    signal: result.signal,
    durationMs: result.durationMs,
    error: result.error,
  };
  if (result.status === 'passed') safely(() => logger.info(entry, 'script passed'));
  else if (result.status === 'error') safely(() => logger.error(entry, 'script could not run'));
  else safely(() => logger.warn(entry, `script ${result.status}`));
}

/**
 * onOutput wrapped so that a listener that throws never disturbs the run: the first throw
 * is said once (to the caller's logger, else as a process warning on stderr), the script's
 * output is still captured and its result still returned.
 */
export function guardOutputListener(
  listener: (stream: 'stdout' | 'stderr', chunk: string) => void,
  logger: ErgateLogger | undefined,
  script: string,
): (stream: 'stdout' | 'stderr', chunk: string) => void {
  let warned = false;
  return (stream, chunk) => {
    try {
      listener(stream, chunk);
    } catch (error) {
      if (warned) return;
      warned = true;
      const message = `onOutput listener threw for ${script}: ${error instanceof Error ? error.message : String(error)} (further throws of this run are not reported; its output is still captured)`;
      if (logger) safely(() => logger.warn({ script, error: String(error) }, message));
      else process.emitWarning(message, 'ErgateWarning');
    }
  };
}
