// The ScriptResult builder: every result is made here, errorResult for runs that never got a
// child (missing script, bad interpreter, cancelled before start, launcher lost), exitResult
// for a child that ran. Invariant: a result is built once, complete: what the layers above
// add (slot, attempts, samples, worker) comes in as ResultAdds, never set on it afterwards.
import path from 'node:path';
import { constants } from 'node:os';
import { classifyExit } from './classify-exit.ts';
import type { CapturedBytes, ChildExit } from './launcher/protocol.ts';
import type { StopReason } from './stop-reason.ts';
import type { ScriptResult, ScriptSpec, ScriptStatus } from './types.ts';

/** What the layers above the builder add to a result: the pool its slot, a runner attempts and
 *  samples, a worker its id. Undefined fields are left out. */
export type ResultAdds = Partial<
  Pick<
    ScriptResult,
    | 'pid'
    | 'slot'
    | 'attempts'
    | 'tests'
    | 'testCases'
    | 'imports'
    | 'peakTreeRssKb'
    | 'memorySamples'
    | 'failedAttempts'
    | 'worker'
    | 'lostOn'
  >
>;

function withAdds(result: ScriptResult, adds: ResultAdds | undefined): ScriptResult {
  if (adds === undefined) return result;
  const target = result as unknown as Record<string, unknown>;
  const source = adds as Record<string, unknown>;
  // for-in over a plain object: Object.entries' order, without its array of pairs.
  for (const key in source) if (source[key] !== undefined) target[key] = source[key];
  return result;
}

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
  adds?: ResultAdds,
): ScriptResult {
  const now = Date.now();
  const { script: absolute, name, subdirectory } = describeScript(script);
  // Every field written out: a spread into a literal this size costs ~50 µs in V8 (Node 20).
  const result: ScriptResult = {
    script: absolute,
    name,
    subdirectory,
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
    slot: null,
    leftovers: [],
    tests: null,
    testCases: null,
  };
  return withAdds(result, adds);
}

/**
 * A result a worker built, as this machine reports it: its script path in this checkout,
 * plus what the coordinator adds (attempts, the workers lost attempts were on).
 */
export function remoteResult(returned: ScriptResult, script: string, adds: ResultAdds): ScriptResult {
  return withAdds({ ...returned, ...describeScript(script) }, adds);
}

/** The same result without its captured output (a run keeping only failures' output). */
export function withoutOutput(result: ScriptResult): ScriptResult {
  return { ...result, stdout: '', stderr: '' };
}

/** Shared: a decode() without { stream: true } starts afresh (constructing one costs ~5 µs). */
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * One stream as text: head and tail decoded together when nothing was dropped (a character
 * split between them survives), else apart, around a marker saying how much was dropped.
 */
export function decodeCaptured(bytes: CapturedBytes): string {
  if (bytes.dropped === 0)
    return decoder.decode(bytes.tail.length === 0 ? bytes.head : Buffer.concat([bytes.head, bytes.tail]));
  return `${decoder.decode(bytes.head)}\n[... ${bytes.dropped} bytes dropped ...]\n${decoder.decode(bytes.tail)}`;
}

/** signal number -> its first name in os.constants.signals (SIGABRT before SIGIOT) */
const SIGNAL_NAMES = new Map(
  Object.entries(constants.signals)
    .reverse()
    .map(([name, n]) => [n, name]),
);

function signalName(signalNumber: number): string {
  return SIGNAL_NAMES.get(signalNumber) ?? `signal ${signalNumber}`;
}

/**
 * The result of a child that ran and was reaped; `stop` is the reason ergate ended it, if it did.
 * @param addsFor what the caller adds, given the decoded stdout (where a test report may be named)
 */
export function exitResult(
  spec: ScriptSpec,
  exit: ChildExit,
  stop: StopReason | null,
  pid: number,
  startedAt: number,
  addsFor?: (stdout: string) => ResultAdds,
): ScriptResult {
  const endedAt = Date.now();
  const exitCode = exit.code >= 0 ? exit.code : null;
  const signal = exit.code < 0 ? signalName(-exit.code) : null;
  const stdout = decodeCaptured(exit.stdout);
  const stderr = decodeCaptured(exit.stderr);
  const { status, error } = classifyExit(
    spec,
    { exitCode, signal, stderr, cpuTimeMs: exit.cpuMs, leftovers: exit.leftovers },
    stop,
  );
  const { script, name, subdirectory } = describeScript(spec.script);
  const result: ScriptResult = {
    script,
    name,
    subdirectory,
    status,
    exitCode,
    signal,
    stdout,
    stderr,
    error,
    startTime: new Date(startedAt).toISOString(),
    endTime: new Date(endedAt).toISOString(),
    durationMs: endedAt - startedAt,
    peakRssKb: exit.maxrssKb,
    cpuTimeMs: exit.cpuMs,
    attempts: 1,
    pid,
    slot: null,
    // A fresh array: the protocol's empty one is shared.
    leftovers: exit.leftovers.length > 0 ? exit.leftovers : [],
    tests: null,
    testCases: null,
  };
  return withAdds(result, addsFor?.(stdout));
}
