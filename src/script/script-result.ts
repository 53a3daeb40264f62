// The ScriptResult builder: every result is made here, errorResult for runs that never got a
// child (missing script, bad interpreter, cancelled before start, launcher lost), exitResult
// for a child that ran.
// Both start methods and every runner go through here, so a result reads the same whichever
// way the run ended, and captured output is decoded in one place.
import path from 'node:path';
import { constants } from 'node:os';
import { classifyExit } from './classify-exit.ts';
import type { CapturedBytes, ChildExit } from './launcher/protocol.ts';
import type { StopReason } from './stop-reason.ts';
import type { ScriptResult, ScriptSpec, ScriptStatus } from './types.ts';

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
  const { script: absolute, name, subdirectory } = describeScript(script);
  // Every field written out: a spread into a literal this size costs ~50 µs in V8 (Node 20).
  return {
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

/** "left `sleep 30` behind (killed)" ("and 2 more" beyond one): failOnLeftovers' reason, the console's words. */
export function describeLeftovers(leftovers: readonly { command: string }[]): string {
  const more = leftovers.length > 1 ? ` and ${leftovers.length - 1} more` : '';
  return `left \`${leftovers[0].command}\`${more} behind (killed)`;
}

/** The result of a child that ran and was reaped; `stop` is the reason ergate ended it, if it did. */
export function exitResult(
  spec: ScriptSpec,
  exit: ChildExit,
  stop: StopReason | null,
  pid: number,
  startedAt: number,
): ScriptResult {
  const endedAt = Date.now();
  const exitCode = exit.code >= 0 ? exit.code : null;
  const signal = exit.code < 0 ? signalName(-exit.code) : null;
  const stdout = decodeCaptured(exit.stdout);
  const stderr = decodeCaptured(exit.stderr);
  let { status, error } = classifyExit(spec, { exitCode, signal, stderr, cpuTimeMs: exit.cpuMs }, stop);
  if (status === 'passed' && spec.failOnLeftovers && exit.leftovers.length > 0) {
    status = 'failed';
    error = describeLeftovers(exit.leftovers);
  }
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
  return result;
}
