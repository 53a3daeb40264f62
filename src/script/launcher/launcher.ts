// Owns one python/launcher.py process: starts it from the calling thread (its
// PR_SET_PDEATHSIG follows that thread, so pools start launchers from the main thread only),
// sends run/stop requests and routes reply frames to the run that owns each id.
// Invariant: every run handed to run() ends exactly once (exited, failed or lost); when the
// launcher dies under runs, what is left of their process groups is SIGKILLed from here.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { pythonFile } from '../../internal/worker-file.ts';
import { killGroupMembers } from '../proc-tree.ts';
import { encodeRequest, FrameDecoder, type ChildExit, type Frame } from './protocol.ts';
import {
  diffEnvironment,
  encodeRunRequest,
  MAX_REQUEST_BYTES,
  tooLarge,
  type EnvChanges,
  type RunFields,
} from './run-request.ts';

export { diffEnvironment, MAX_REQUEST_BYTES, type RunFields } from './run-request.ts';

/** 'exec': each script is a fresh `python script.py`; 'fork': a fork of this warm interpreter. */
export type LaunchMode = 'exec' | 'fork';

export interface LauncherOptions {
  /** Interpreter that runs the launcher (and, by fork or exec, every script). */
  python: string;
  mode: LaunchMode;
  /** Modules imported once, before the first fork ('fork' mode). @default [] */
  preload?: string[];
  /** The launcher's working directory (where preloads resolve). @default process.cwd() */
  cwd?: string;
  /** The launcher's own environment; a script's is sent as changes to it. */
  env: Record<string, string>;
  /** Run the launcher (and so every script) as this user / group; root only. */
  uid?: number;
  gid?: number;
  /** Give up starting after this long (a heavy preload can take seconds). @default 60_000 */
  startTimeoutMs?: number;
  /** The most scripts it runs at once; above 1 each script is the subreaper of its own tree. @default 1 */
  width?: number;
}

/** Callbacks of one run; exactly one of onExit / onFail is called. */
export interface RunHandlers {
  onStart(pid: number): void;
  onOutput(stream: 'stdout' | 'stderr', data: Buffer): void;
  onExit(exit: ChildExit): void;
  /** could not start, or the launcher died under it */
  onFail(error: string): void;
}

export class Launcher {
  readonly pid: number;
  readonly mode: LaunchMode;
  readonly python: string;
  readonly preload: readonly string[];
  /** the environment the launcher process was started with */
  readonly startEnv: Record<string, string>;
  /** Resolves when the launcher process has exited, for whatever reason. */
  readonly exited: Promise<void>;
  #child: ChildProcess;
  #requests: Writable;
  #runs = new Map<number, { handlers: RunHandlers; pid: number | null }>();
  #nextId = 1;
  #alive = true;
  #stderrTail = '';
  #exitDescription = '';
  #closing = false;
  /** whether its process and pipes hold the event loop (they do from spawn on) */
  #refd = true;
  /** the last environment sent and its diff: a run's scripts usually share one env object */
  #lastEnv: Record<string, string> | null = null;
  #lastDiff: EnvChanges | null = null;
  /** stop requests of this turn, written together (a fail-fast stops many runs at once) */
  #stops: Buffer[] = [];

  private constructor(child: ChildProcess, exited: Promise<void>, options: LauncherOptions) {
    this.#child = child;
    this.mode = options.mode;
    this.python = options.python;
    this.preload = options.preload ?? [];
    this.startEnv = options.env;
    this.pid = child.pid!;
    this.exited = exited;
    this.#requests = child.stdio[3] as Writable;
    // A dead launcher surfaces through 'exit'; write errors (EPIPE) add nothing.
    this.#requests.on('error', () => {});
  }

  /** Starts a launcher and waits until it is ready. Rejects with the reason if it cannot. */
  static async start(options: LauncherOptions): Promise<Launcher> {
    // 'exec' needs nothing of the interpreter's site or PYTHON* settings: -I -S keeps it
    // small and deaf to the environment. 'fork' is started as the scripts would be.
    const flags = options.mode === 'exec' ? ['-I', '-S'] : [];
    const argv = [
      ...flags,
      pythonFile('launcher.py'),
      options.mode,
      String(process.pid),
      String(options.width ?? 1),
      ...(options.preload ?? []),
    ];
    const child = spawn(options.python, argv, {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      cwd: options.cwd ?? process.cwd(),
      env: options.env,
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    spawnError.catch(() => {});
    const launcher = new Launcher(child, exited, options);
    const ready = launcher.#listen();
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const tooSlow = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`it did not start within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([ready, spawnError, tooSlow]);
      return launcher;
    } catch (error) {
      child.kill('SIGKILL');
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`could not start the script launcher with ${options.python}: ${reason}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Number of runs not yet finished. */
  get running(): number {
    return this.#runs.size;
  }

  /** Asks the launcher to start one script. Returns the run id (for stop). */
  run(fields: RunFields, handlers: RunHandlers): number {
    const id = this.#nextId++;
    if (!this.#alive) {
      queueMicrotask(() => handlers.onFail(this.#lostReason()));
      return id;
    }
    this.#runs.set(id, { handlers, pid: null });
    if (fields.env !== this.#lastEnv) {
      this.#lastEnv = fields.env;
      this.#lastDiff = diffEnvironment(this.startEnv, fields.env);
    }
    const request = encodeRunRequest(id, fields, this.#lastDiff!);
    if (request.length > MAX_REQUEST_BYTES) {
      this.#runs.delete(id);
      queueMicrotask(() => handlers.onFail(tooLarge(request.length)));
      return id;
    }
    this.#requests.write(request);
    return id;
  }

  /** Asks the launcher to end a run (TERM, grace, KILL of its tree); a no-op once it ended. */
  stop(id: number): void {
    if (!this.#alive || !this.#runs.has(id)) return;
    if (this.#stops.push(encodeRequest({ op: 'stop', id })) > 1) return;
    queueMicrotask(() => {
      const stops = this.#stops;
      this.#stops = [];
      if (this.#alive) this.#requests.write(stops.length === 1 ? stops[0] : Buffer.concat(stops));
    });
  }

  /**
   * Whether this launcher (process and pipes) keeps Node's event loop alive. Pools unref an
   * idle launcher, so an idle pool never holds the process open (the launcher still dies
   * with Node: PDEATHSIG and EOF on its request pipe).
   */
  setRef(ref: boolean): void {
    if (ref === this.#refd) return;
    this.#refd = ref;
    const handles = [this.#child, ...this.#child.stdio] as Array<{ ref?: () => void; unref?: () => void } | null>;
    for (const handle of handles) {
      if (ref) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  /** Closes the request pipe: the launcher kills every tree it holds, reaps, and exits. */
  async close(graceMs = 2_000): Promise<void> {
    this.#closing = true;
    this.setRef(true); // an idle, unref'd launcher must still be waited for (and reaped)
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
    // The launcher's own stdout/stderr only carry diagnostics (a crash, a noisy preload).
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
    if (this.#closing) return 'the script launcher was closed while the script ran';
    const tail = this.#stderrTail.trim();
    return `the script launcher exited unexpectedly (${this.#exitDescription})${tail ? `: ${tail}` : ''}`;
  }

  #route(frame: Exclude<Frame, { type: 'ready' }>): void {
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
    // Each script died with the launcher (its PR_SET_PDEATHSIG); the rest of its process
    // group did not. Found by group id in /proc, never signalled as a group: the leader may
    // be reaped already and its id reused.
    killGroupMembers([...this.#runs.values()].flatMap((run) => (run.pid === null ? [] : [run.pid])));
    for (const [id, run] of this.#runs) {
      this.#runs.delete(id);
      run.handlers.onFail(reason);
    }
  }
}
