// Wire format between a Launcher (Node) and python/launcher.py. Requests are Python marshal
// data behind a 4-byte length (the launcher reads them with the built-in marshal module, so
// it needs no json and the ~25 modules json imports); replies are binary frames, so script
// output crosses without re-encoding. Must stay in step with python/_ergate_wire.py's docstring.
import { hasEscapedBytes, utf8KeepingSurrogates } from '../../internal/byte-names.ts';

/** A script to start, fully resolved (absolute paths, complete environment). */
export interface LaunchRequest {
  op: 'run';
  id: number;
  python: string;
  script: string;
  /** `python -m module script args...` when set (left out otherwise) */
  module?: string;
  args: string[];
  cwd: string;
  /** Variables to set (or change) in the environment the launcher was started with. */
  envSet: Record<string, string>;
  /** Variables of the launcher's start environment the script must not see. */
  envUnset: string[];
  memoryLimitMb: number | null;
  cpuTimeLimitS: number | null;
  /** negative: no timeout */
  timeoutMs: number;
  killGraceMs: number;
  maxOutputBytes: number;
  /** send output chunks as they come (O/E frames) */
  live: boolean;
  /**
   * the child's $ERGATE_JUNIT_XML, set on top of envSet (a field, not an envSet entry: the
   * launcher keeps the rest of the environment cached while this path changes every run)
   */
  junitXml?: string;
  /** where a forked child lists its modules at its end (--preload auto) */
  importsFile?: string;
}

/** Node wants the run ended (the launcher's own deadline may have come first). */
export interface StopRequest {
  op: 'stop';
  id: number;
}

export type Request = LaunchRequest | StopRequest;

/** One captured stream: the kept head and tail bytes, and how many fell between them. */
export interface CapturedBytes {
  head: Buffer;
  tail: Buffer;
  dropped: number;
}

/** What wait4() said about a finished child, and who ended it. */
export interface ChildExit {
  /** exit status, or minus the signal number when killed by a signal */
  code: number;
  maxrssKb: number;
  cpuMs: number;
  /** null: it ended by itself; 'timeout': the launcher's deadline; 'request': Node's stop */
  stop: 'timeout' | 'request' | null;
  stdout: CapturedBytes;
  stderr: CapturedBytes;
  /** what it left running when it ended, killed by the launcher's sweep (empty: nothing) */
  leftovers: Leftover[];
}

/** A process a script left running when it ended (the launcher killed it). */
export interface Leftover {
  pid: number;
  /** its command line, cut to 200 characters */
  command: string;
}

export type Frame =
  | { type: 'ready'; id: number; pid: number }
  | { type: 'started'; id: number; pid: number }
  | { type: 'stdout' | 'stderr'; id: number; data: Buffer }
  | { type: 'exited'; id: number; exit: ChildExit }
  | { type: 'failed'; id: number; error: string };

const HEADER_BYTES = 9;

type Marshallable = null | boolean | number | string | Marshallable[] | { [key: string]: Marshallable | undefined };

// One scratch buffer every request is encoded into, then copied out at its exact size: a
// request costs one allocation, not one per value plus a concat.
const SCRATCH_BYTES = 4096;
let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
let at = 0;

function room(bytes: number): void {
  if (at + bytes <= scratch.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + bytes));
  scratch.copy(bigger, 0, 0, at);
  scratch = bigger;
}

function tag(code: number, size: number): void {
  room(1 + size);
  scratch[at++] = code;
}

/**
 * Appends `value` in marshal format (the stable subset every Python 3 reads: None, bools,
 * ints, floats, str, list, dict). Undefined dict entries are left out, as JSON would.
 */
function marshal(value: Marshallable): void {
  if (value === null)
    tag(0x4e, 0); // N
  else if (value === true)
    tag(0x54, 0); // T
  else if (value === false)
    tag(0x46, 0); // F
  else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) {
      tag(0x69, 4); // i
      at = scratch.writeInt32LE(value, at);
    } else {
      tag(0x67, 8); // g: a float; Python turns it back with int() where needed
      at = scratch.writeDoubleLE(value, at);
    }
  } else if (typeof value === 'string') {
    tag(0x75, 4 + value.length * 3); // u: UTF-8, at most 3 bytes per UTF-16 unit
    // Lone surrogates (a file name's undecodable bytes, src/internal/byte-names.ts) cross as
    // they are: marshal reads 'u' with "surrogatepass", and the launcher's os calls fsencode.
    const written = hasEscapedBytes(value)
      ? utf8KeepingSurrogates(value).copy(scratch, at + 4)
      : scratch.write(value, at + 4, 'utf8');
    scratch.writeUInt32LE(written, at);
    at += 4 + written;
  } else if (Array.isArray(value)) {
    tag(0x5b, 4); // [
    at = scratch.writeUInt32LE(value.length, at);
    for (const item of value) marshal(item);
  } else {
    tag(0x7b, 0); // {
    for (const key in value) {
      const item = value[key];
      if (item === undefined) continue;
      marshal(key);
      marshal(item);
    }
    tag(0x30, 0); // 0: end of dict
  }
}

export function encodeRequest(request: Request): Buffer {
  at = 4;
  room(0);
  marshal(request as unknown as Marshallable);
  scratch.writeUInt32BE(at - 4, 0);
  const frame = Buffer.from(scratch.subarray(0, at));
  if (scratch.length > 16 * SCRATCH_BYTES) scratch = Buffer.allocUnsafe(SCRATCH_BYTES); // a huge one once
  return frame;
}

interface ExitHeader {
  code: number;
  maxrssKb: number;
  cpuMs: number;
  stop: ChildExit['stop'];
  out: [number, number, number];
  err: [number, number, number];
  leftovers?: [number, string][];
}

const NO_LEFTOVERS: Leftover[] = [];

/** X frame: a JSON line, then stdout head and tail, stderr head and tail. */
function decodeExit(payload: Buffer): ChildExit {
  const newline = payload.indexOf(10);
  const header = JSON.parse(payload.subarray(0, newline).toString()) as ExitHeader;
  let at = newline + 1;
  const take = (length: number) => payload.subarray(at, (at += length));
  const stdout = { head: take(header.out[0]), tail: take(header.out[1]), dropped: header.out[2] };
  const stderr = { head: take(header.err[0]), tail: take(header.err[1]), dropped: header.err[2] };
  const leftovers = header.leftovers ? header.leftovers.map(([pid, command]) => ({ pid, command })) : NO_LEFTOVERS;
  return {
    code: header.code,
    maxrssKb: header.maxrssKb,
    cpuMs: header.cpuMs,
    stop: header.stop,
    stdout,
    stderr,
    leftovers,
  };
}

/** The pid of an R or S payload, `{"pid":N}`: read digit by digit, no JSON.parse. */
function pidOf(payload: Buffer): number {
  let pid = 0;
  for (let i = 7; i < payload.length; i++) {
    const digit = payload[i] - 48;
    if (digit < 0 || digit > 9) break;
    pid = pid * 10 + digit;
  }
  return pid;
}

const O = 0x4f;
const E = 0x45;
const R = 0x52;
const S = 0x53;
const X = 0x58;
const F = 0x46;

function decodeFrame(kind: number, id: number, payload: Buffer): Frame {
  switch (kind) {
    case O:
      return { type: 'stdout', id, data: payload };
    case E:
      return { type: 'stderr', id, data: payload };
    case R:
      return { type: 'ready', id, pid: pidOf(payload) };
    case S:
      return { type: 'started', id, pid: pidOf(payload) };
    case X:
      return { type: 'exited', id, exit: decodeExit(payload) };
    case F:
      return { type: 'failed', id, error: payload.toString('utf8') };
    default:
      throw new Error(`the launcher sent an unknown frame type ${kind}`);
  }
}

/** Splits the launcher's reply stream into frames; chunks may cut frames anywhere. */
export class FrameDecoder {
  #pending: Buffer | null = null;

  push(chunk: Buffer): Frame[] {
    const buffer = this.#pending === null ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Frame[] = [];
    let at = 0;
    while (buffer.length - at >= HEADER_BYTES) {
      const length = buffer.readUInt32BE(at + 5);
      const end = at + HEADER_BYTES + length;
      if (buffer.length < end) break;
      frames.push(decodeFrame(buffer[at], buffer.readUInt32BE(at + 1), buffer.subarray(at + HEADER_BYTES, end)));
      at = end;
    }
    // Copy the remainder so a small tail never pins a large chunk in memory.
    this.#pending = at < buffer.length ? Buffer.from(buffer.subarray(at)) : null;
    return frames;
  }
}
