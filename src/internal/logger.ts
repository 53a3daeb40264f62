// The one logger every subsystem writes to: a pino-compatible `logger` option when given,
// else util.debuglog('ergate') (enabled with NODE_DEBUG=ergate). Owns the failure entry
// shared by scripts, functions, tasks and jobs: { event, name, status, exitCode?,
// durationMs, error }. A throwing logger never turns a result into a crash.
import { debuglog } from 'node:util';

/** A pino-compatible logger: only these methods are used. */
export interface ErgateLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const debug = debuglog('ergate');

function write(level: string, obj: object, msg?: string): void {
  if (debug.enabled) debug('%s %s %j', level, msg ?? '', obj);
}

export const defaultLogger: ErgateLogger = {
  debug: (obj, msg) => write('debug', obj, msg),
  info: (obj, msg) => write('info', obj, msg),
  warn: (obj, msg) => write('warn', obj, msg),
  error: (obj, msg) => write('error', obj, msg),
};

/** false only for the default logger with NODE_DEBUG=ergate off: callers skip building entries. */
export function isLogging(logger: ErgateLogger): boolean {
  return logger !== defaultLogger || debug.enabled;
}

export function isLogger(value: unknown): value is ErgateLogger {
  return (
    typeof value === 'object' &&
    value !== null &&
    ['debug', 'info', 'warn', 'error'].every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  );
}

export const LOGGER_EXPECTED = 'a pino-compatible logger with debug, info, warn and error methods';

/** What ended badly: 'script.end', 'function.end', 'task.end', 'job.end'. */
export type FailureEvent = 'script.end' | 'function.end' | 'task.end' | 'job.end';

export interface FailureEntry {
  event: FailureEvent;
  name: string;
  status: string;
  /** Scripts only: the exit code (null when killed by a signal or never started). */
  exitCode?: number | null;
  durationMs: number;
  error: string | null;
}

/** Logs a failed, timed-out, errored or cancelled run: warn, or error when it could not run at all. */
export function logFailure(logger: ErgateLogger, entry: FailureEntry): void {
  const [kind] = entry.event.split('.');
  try {
    if (entry.status === 'error') logger.error(entry, `${kind} '${entry.name}' could not run`);
    else logger.warn(entry, `${kind} '${entry.name}' ${entry.status}`);
  } catch {
    // ignored on purpose: logging must never change an outcome
  }
}
