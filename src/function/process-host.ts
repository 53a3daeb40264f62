// One child process that runs memory-limited calls (workers/function-process-host.ts), started
// with --max-old-space-size so a fatal heap error kills only the child. Owns the child from
// spawn to reap: whenReady settles once, every call settles exactly once (with its outcome
// or with the child's death), and kill() always ends with the child gone. A host that trapped
// an error no call caught is `retired`: the error is logged under the call that raised it,
// and the pool ends the host instead of reusing it.
import { fork, type ChildProcess } from 'node:child_process';
import { hostPath, loaderExecArgv } from './host-entry.ts';
import { describeThrown } from './execute-call.ts';
import { RecentCalls, type CallOwner, type LateError } from './late-errors.ts';
import { defaultLogger } from '../internal/logger.ts';
import type { CallOutcome, CallRequest } from './types.ts';

export interface HostDeath {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** V8 reported "JavaScript heap out of memory" (or the child aborted, as V8 does then) */
  outOfMemory: boolean;
  /** last line of the child's stderr, for messages */
  lastStderrLine: string;
}

export type HostReply = { outcome: CallOutcome } | { death: HostDeath };

export interface ProcessHostOptions {
  memoryLimitMb: number;
  /** the host module; tests swap in a host that crashes while starting */
  hostFile?: string;
  /** called once when the host retires (see `retired`) */
  onRetire?: (host: ProcessHost) => void;
}

const STDERR_TAIL_BYTES = 4_096;

export class ProcessHost {
  readonly child: ChildProcess;
  /** true once the host said it is ready; false if it died first */
  readonly whenReady: Promise<boolean>;
  readonly whenDead: Promise<HostDeath>;
  #stderrTail = '';
  #nextId = 1;
  #pending: { id: number; settle: (reply: HostReply) => void } | null = null;
  readonly #recent = new RecentCalls();
  /** the host trapped an error no call caught: it must not take another call */
  retired = false;

  constructor(options: ProcessHostOptions) {
    this.child = fork(options.hostFile ?? hostPath('function-process-host'), [], {
      execArgv: [`--max-old-space-size=${options.memoryLimitMb}`, ...loaderExecArgv()],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    // 'close' (not 'exit') so the stderr tail is complete when the death is described.
    this.whenDead = new Promise((resolve) => {
      this.child.once('close', (code, signal) => resolve(this.#describeDeath(code, signal)));
      this.child.once('error', () => this.kill());
    });
    this.whenReady = new Promise((resolve) => {
      const onMessage = (message: unknown): void => {
        if ((message as { type?: string })?.type !== 'ready') return;
        this.child.off('message', onMessage);
        resolve(true);
      };
      this.child.on('message', onMessage);
      void this.whenDead.then(() => resolve(false));
    });
    this.child.on(
      'message',
      (message: { id?: number; outcome?: CallOutcome; type?: string; late?: LateError | null }) => {
        if (message.type === 'retire') {
          this.retired = true;
          if (message.late) this.#recent.logLate(message.late, 'process', defaultLogger);
          return options.onRetire?.(this);
        }
        const pending = this.#pending;
        if (pending === null || message.id !== pending.id) return;
        this.#pending = null;
        pending.settle({ outcome: message.outcome! });
      },
    );
    void this.whenDead.then((death) => {
      const pending = this.#pending;
      this.#pending = null;
      pending?.settle({ death });
    });
    this.setIdle(true);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends one call (the host runs one at a time); settles with its outcome or the host's death. */
  call(request: CallRequest, owner?: CallOwner): Promise<HostReply> {
    const id = this.#nextId++;
    this.#recent.remember(id, owner);
    return new Promise<HostReply>((settle) => {
      this.#pending = { id, settle };
      try {
        this.child.send({ id, request });
      } catch (error) {
        this.#pending = null;
        settle({
          outcome: {
            kind: 'unrunnable',
            message: `the arguments could not be sent to the function: ${describeThrown(error)}`,
          },
        });
      }
    });
  }

  /** An idle host must not keep the caller's process alive; a busy one must. */
  setIdle(idle: boolean): void {
    const handles = [this.child, this.child.channel, this.child.stderr] as Array<
      { ref?: () => void; unref?: () => void } | null | undefined
    >;
    for (const handle of handles) (idle ? handle?.unref : handle?.ref)?.call(handle);
  }

  kill(): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    // Held until reaped: whoever awaits whenDead (closeFunctionPool) must not see the event
    // loop empty out first (an idle host's handles are unref'd).
    this.setIdle(false);
    this.child.kill('SIGKILL');
  }

  #describeDeath(code: number | null, signal: NodeJS.Signals | null): HostDeath {
    const lines = this.#stderrTail
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const heapLine = lines.find((line) => /heap out of memory|heap limit/i.test(line));
    return {
      code,
      signal,
      outOfMemory: heapLine !== undefined || signal === 'SIGABRT' || code === 134,
      lastStderrLine: heapLine ?? lines.at(-1) ?? '',
    };
  }
}

/** "exit code 1" / "signal SIGKILL", plus the last stderr line when there is one. */
export function describeDeath(death: HostDeath): string {
  const how = death.signal !== null ? `signal ${death.signal}` : `exit code ${death.code}`;
  return death.lastStderrLine ? `${how}: ${death.lastStderrLine}` : how;
}
