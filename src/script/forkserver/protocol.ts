// Wire format between ForkServer (Node) and python/forkserver.py. Requests are JSON behind a
// 4-byte length; replies are binary frames so script output crosses without re-encoding.
// Must stay in step with the docstring at the top of python/forkserver.py.

/** A script to fork, fully resolved (absolute paths, complete environment). */
export interface ForkRunRequest {
  op: 'run';
  id: number;
  script: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
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

export function encodeRequest(request: ForkRequest): Buffer {
  const body = Buffer.from(JSON.stringify(request));
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
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
      return { type: 'failed', id, error: JSON.parse(payload.toString()).error };
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
