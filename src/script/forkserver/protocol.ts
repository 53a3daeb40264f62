// Wire format between ForkServer (Node) and python/forkserver.py. Requests are Python marshal
// data behind a 4-byte length (the server reads them with the built-in marshal module, so it
// needs no json and the ~25 modules json imports); replies are binary frames, so script output
// crosses without re-encoding. Must stay in step with the docstring of python/forkserver.py.

/** A script to fork, fully resolved (absolute paths, complete environment). */
export interface ForkRunRequest {
  op: 'run';
  id: number;
  script: string;
  args: string[];
  cwd: string;
  /** Variables to set (or change) in the environment the server was started with. */
  envSet: Record<string, string>;
  /** Variables of the server's start environment the script must not see. */
  envUnset: string[];
  memoryLimitMb: number | null;
  cpuTimeLimitS: number | null;
}

export interface ForkKillRequest {
  op: 'kill';
  id: number;
  /** signal number, e.g. 15 */
  signal: number;
}

export type ForkRequest = ForkRunRequest | ForkKillRequest;

/** What wait4() said about a finished child. */
export interface ForkExit {
  /** exit status, or minus the signal number when killed by a signal */
  code: number;
  maxrssKb: number;
  cpuMs: number;
}

export type ForkFrame =
  | { type: 'ready'; id: number; pid: number }
  | { type: 'started'; id: number; pid: number }
  | { type: 'stdout' | 'stderr'; id: number; data: Buffer }
  | { type: 'exited'; id: number; exit: ForkExit }
  | { type: 'failed'; id: number; error: string };

const HEADER_BYTES = 9;

type Marshallable = null | boolean | number | string | Marshallable[] | { [key: string]: Marshallable | undefined };

/**
 * Appends `value` in marshal format (the stable subset every Python 3 reads: None, bools,
 * ints, floats, str, list, dict). Undefined dict entries are left out, as JSON would.
 */
function marshal(value: Marshallable, out: Buffer[]): void {
  const tagged = (tag: string, size: number) => {
    const chunk = Buffer.allocUnsafe(1 + size);
    chunk[0] = tag.charCodeAt(0);
    out.push(chunk);
    return chunk;
  };
  if (value === null) tagged('N', 0);
  else if (value === true) tagged('T', 0);
  else if (value === false) tagged('F', 0);
  else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) tagged('i', 4).writeInt32LE(value, 1);
    else tagged('g', 8).writeDoubleLE(value, 1); // a float: Python turns it back with int() where needed
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    tagged('u', 4).writeUInt32LE(bytes.length, 1);
    out.push(bytes);
  } else if (Array.isArray(value)) {
    tagged('[', 4).writeUInt32LE(value.length, 1);
    for (const item of value) marshal(item, out);
  } else {
    tagged('{', 0);
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      marshal(key, out);
      marshal(item, out);
    }
    tagged('0', 0); // end of dict
  }
}

export function encodeRequest(request: ForkRequest): Buffer {
  const parts: Buffer[] = [Buffer.allocUnsafe(4)];
  marshal(request as unknown as Marshallable, parts);
  const frame = Buffer.concat(parts);
  frame.writeUInt32BE(frame.length - 4, 0);
  return frame;
}

function decodeFrame(kind: number, id: number, payload: Buffer): ForkFrame {
  switch (String.fromCharCode(kind)) {
    case 'O':
      return { type: 'stdout', id, data: payload };
    case 'E':
      return { type: 'stderr', id, data: payload };
    case 'R':
      return { type: 'ready', id, pid: JSON.parse(payload.toString()).pid };
    case 'S':
      return { type: 'started', id, pid: JSON.parse(payload.toString()).pid };
    case 'X':
      return { type: 'exited', id, exit: JSON.parse(payload.toString()) as ForkExit };
    case 'F':
      return { type: 'failed', id, error: payload.toString('utf8') };
    default:
      throw new Error(`fork server sent an unknown frame type ${kind}`);
  }
}

/** Splits the server's reply stream into frames; chunks may cut frames anywhere. */
export class FrameDecoder {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): ForkFrame[] {
    let buffer = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: ForkFrame[] = [];
    while (buffer.length >= HEADER_BYTES) {
      const length = buffer.readUInt32BE(5);
      if (buffer.length < HEADER_BYTES + length) break;
      const payload = buffer.subarray(HEADER_BYTES, HEADER_BYTES + length);
      frames.push(decodeFrame(buffer[0]!, buffer.readUInt32BE(1), payload));
      buffer = buffer.subarray(HEADER_BYTES + length);
    }
    // Copy the remainder so a small tail never pins a large chunk in memory.
    this.#pending = buffer.length > 0 ? Buffer.from(buffer) : Buffer.alloc(0);
    return frames;
  }
}
