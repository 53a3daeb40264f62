// Owns one python/forkserver.py process: starts it, sends fork/kill requests, routes reply
// frames to the run that owns each id. Works in the main thread or a worker thread.
// Invariant: every run handed to fork() ends exactly once (exited, failed, or serverLost),
// and when the server dies, the groups of the runs it held are SIGKILLed from here.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { pythonFile } from '../../internal/worker-file.ts';
import { encodeRequest, FrameDecoder, type ForkExit, type ForkFrame, type ForkRunRequest } from './protocol.ts';
import { runForked, type RunForkedOptions } from './run-forked.ts';
import type { ScriptResult, ScriptSpec } from '../types.ts';

export interface ForkServerOptions {
  /** Interpreter that runs the server and, by fork, every script. */
  python: string;
  /** Modules imported once, before the first fork. @default [] */
  preload?: string[];
  /** Server's working directory (where preloads resolve). @default process.cwd() */
  cwd?: string;
  /** Server's environment: PYTHON* variables here shape every fork. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Run the server (and so every script) as this user / group; root only. */
  uid?: number;
  gid?: number;
  /** Give up starting after this long (a heavy preload can take seconds). @default 60_000 */
  startTimeoutMs?: number;
}

/** Callbacks of one forked script; exactly one of onExit / onFail / onServerLost is called. */
export interface ForkHandlers {
  onStart(pid: number): void;
  onOutput(stream: 'stdout' | 'stderr', data: Buffer): void;
  onExit(exit: ForkExit): void;
  onFail(error: string): void;
  onServerLost(reason: string): void;
}

/** A script to fork, with its complete environment (sent as changes to the server's). */
type ForkRunFields = Omit<ForkRunRequest, 'op' | 'id' | 'envSet' | 'envUnset'> & { env: Record<string, string> };

/**
 * The changes that turn `base` into `env`. Scripts usually share the server's environment,
 * so a request then carries none (a full environment was ~1.5 KB of JSON each way, and
 * rebuilding os.environ in the child copied ~120 pages).
 */
export function diffEnvironment(base: NodeJS.ProcessEnv, env: Record<string, string>): Pick<ForkRunRequest, 'envSet' | 'envUnset'> {
  const envSet: Record<string, string> = {};
  const envUnset: string[] = [];
  for (const name in env) if (base[name] !== env[name]) envSet[name] = env[name]!;
  for (const name in base) if (base[name] !== undefined && !(name in env)) envUnset.push(name);
  return { envSet, envUnset };
}

export class ForkServer {
  readonly pid: number;
  /** Resolves when the server process has exited, for whatever reason. */
  readonly exited: Promise<void>;
  #child: ChildProcess;
  #requests: Writable;
  /** the environment the server process was started with */
  #env: NodeJS.ProcessEnv;
  #runs = new Map<number, { handlers: ForkHandlers; pid: number | null }>();
  #nextId = 1;
  #alive = true;
  #stderrTail = '';
  #exitDescription = '';
  #closing = false;

  private constructor(child: ChildProcess, exited: Promise<void>, env: NodeJS.ProcessEnv) {
    this.#child = child;
    this.#env = env;
    this.pid = child.pid!;
    this.exited = exited;
    this.#requests = child.stdio[3] as Writable;
    // A dead server surfaces through 'exit'; write errors (EPIPE) add nothing.
    this.#requests.on('error', () => {});
  }

  /** Starts a server and waits until its preloads are imported. Rejects with the reason if it cannot. */
  static async start(options: ForkServerOptions): Promise<ForkServer> {
    const preload = options.preload ?? [];
    const env = { ...(options.env ?? process.env) };
    const child = spawn(options.python, [pythonFile('forkserver.py'), String(process.pid), ...preload], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      cwd: options.cwd ?? process.cwd(),
      env,
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    spawnError.catch(() => {});
    const server = new ForkServer(child, exited, env);
    const ready = server.#listen();
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const tooSlow = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`fork server did not start within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([ready, spawnError, tooSlow]);
      return server;
    } catch (error) {
      child.kill('SIGKILL');
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`could not start the fork server with ${options.python}: ${reason}`);
    } finally {
      clearTimeout(timer);
    }
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Number of forked scripts not yet finished. */
  get running(): number {
    return this.#runs.size;
  }

  /** Asks the server to fork one script. Returns the run id (for kill). */
  fork(request: ForkRunFields, handlers: ForkHandlers): number {
    const id = this.#nextId++;
    if (!this.#alive) {
      queueMicrotask(() => handlers.onServerLost(this.#lostReason()));
      return id;
    }
    this.#runs.set(id, { handlers, pid: null });
    const { env, ...fields } = request;
    this.#requests.write(encodeRequest({ op: 'run', id, ...fields, ...diffEnvironment(this.#env, env) }));
    return id;
  }

  /** Signals the process group of a run; a no-op once it has been reaped. */
  kill(id: number, signal: NodeJS.Signals): void {
    if (!this.#alive || !this.#runs.has(id)) return;
    this.#requests.write(encodeRequest({ op: 'kill', id, signal: constants.signals[signal] }));
  }

  /** Runs one script to completion, with timeout, cancellation and bounded output. */
  run(spec: ScriptSpec, options: RunForkedOptions = {}): Promise<ScriptResult> {
    return runForked(this, spec, options);
  }

  /**
   * Whether this server (process and pipes) keeps Node's event loop alive. A pool driving it
   * from the main thread unrefs it while idle, so an idle pool never holds the process open
   * (the server still dies with Node: PDEATHSIG and EOF on its request pipe).
   */
  setRef(ref: boolean): void {
    const handles = [this.#child, ...this.#child.stdio] as Array<{ ref?: () => void; unref?: () => void } | null>;
    for (const handle of handles) {
      if (ref) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  /** Closes the request pipe: the server kills every group it holds and exits. */
  async close(graceMs = 2_000): Promise<void> {
    this.#closing = true;
    // An idle, unref'd server must still be waited for (and reaped) here.
    this.setRef(true);
    if (this.#alive) this.#requests.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #listen(): Promise<void> {
    const decoder = new FrameDecoder();
    let onReady!: () => void;
    let onStartFailure!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onStartFailure = reject;
    });
    (this.#child.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.type === 'ready') onReady();
        else if (frame.type === 'failed' && frame.id === 0) onStartFailure(new Error(frame.error));
        else this.#route(frame);
      }
    });
    // The server's own stdout/stderr only carry diagnostics (a crash, a noisy preload).
    this.#child.stdout!.resume();
    this.#child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.#stderrTail = (this.#stderrTail + text).slice(-2_000);
    });
    this.#child.once('exit', (code, signal) => {
      this.#alive = false;
      this.#exitDescription = signal ? `killed by ${signal}` : `exit code ${code}`;
    });
    // 'close' comes after the reply pipe is drained: exit frames already sent still count.
    this.#child.once('close', () => {
      this.#alive = false;
      onStartFailure(new Error(`it exited (${this.#exitDescription}) ${this.#stderrTail.trim()}`.trim()));
      this.#loseAll();
    });
    return ready;
  }

  #lostReason(): string {
    if (this.#closing) return 'fork server was closed while the script ran';
    const tail = this.#stderrTail.trim();
    return `fork server exited unexpectedly (${this.#exitDescription})${tail ? `: ${tail}` : ''}`;
  }

  #route(frame: Exclude<ForkFrame, { type: 'ready' }>): void {
    const run = this.#runs.get(frame.id);
    if (!run) return;
    switch (frame.type) {
      case 'started':
        run.pid = frame.pid;
        run.handlers.onStart(frame.pid);
        break;
      case 'stdout':
      case 'stderr':
        run.handlers.onOutput(frame.type, frame.data);
        break;
      case 'exited':
        this.#runs.delete(frame.id);
        run.handlers.onExit(frame.exit);
        break;
      case 'failed':
        this.#runs.delete(frame.id);
        run.handlers.onFail(frame.error);
        break;
    }
  }

  #loseAll(): void {
    const reason = this.#lostReason();
    for (const [id, run] of this.#runs) {
      this.#runs.delete(id);
      // The server can no longer kill what it forked; its pid is still the group id.
      if (run.pid !== null) killGroupQuietly(run.pid);
      run.handlers.onServerLost(reason);
    }
  }
}

function killGroupQuietly(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
