// The warm fork servers of a SupervisorPool, driven from the main thread: one ForkServerHost
// per slot (started lazily, restarted when it died, replaced when the interpreter, preload
// list or PYTHON* environment changes). A fork server is a process of its own, so it needs
// no supervisor thread to isolate it; skipping the thread hop saves ~1.5 ms per script.
// Invariants: the caller (SupervisorPool) never runs more than `size` scripts at once, so a
// free slot always exists; a server keeps the event loop alive only while it runs a script;
// close() resolves once every server has exited and been reaped by this thread.
import type { StopReason } from '../classify-exit.ts';
import { snapshotTree } from '../kill-tree.ts';
import type { StopSignal } from '../stop-signal.ts';
import type { ScriptResult, ScriptSpec } from '../types.ts';
import { ForkServerHost } from './fork-server-host.ts';
import type { ForkServer } from './fork-server.ts';
import { notRunResult } from './run-forked.ts';
import { superviseForkedRun } from './supervise-forked.ts';

export interface ForkPoolRunOptions {
  /** aborted when ergate stops the run; stopReason() then says why */
  signal: StopSignal;
  stopReason: () => StopReason | null;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
}

interface Slot {
  host: ForkServerHost;
  server: ForkServer | null;
  idleTimer?: NodeJS.Timeout;
}

export class ForkServerPool {
  readonly #slots: Slot[];
  /** idle slots, most recently used last: reusing it keeps the fewest servers warm */
  readonly #free: Slot[];
  readonly #idleMs: number;
  /** idle servers being closed, so close() also waits for them */
  readonly #retiring = new Set<Promise<void>>();

  constructor(size: number, idleMs: number) {
    this.#slots = Array.from({ length: size }, () => ({ host: new ForkServerHost(), server: null }));
    this.#free = [...this.#slots].reverse();
    this.#idleMs = idleMs;
  }

  /** pids of the live fork servers (diagnostics and tests) */
  get serverPids(): number[] {
    return this.#slots.flatMap((slot) => (slot.server?.alive ? [slot.server.pid] : []));
  }

  /** Runs a spec on a free slot's warm server. Never rejects. */
  async run(spec: ScriptSpec, options: ForkPoolRunOptions): Promise<ScriptResult> {
    const slot = this.#free.pop();
    if (!slot) return notRunResult(spec, 'error', 'no free fork server slot (more scripts than slots)');
    clearTimeout(slot.idleTimer);
    let server: ForkServer | null = null;
    try {
      server = await slot.host.acquire(spec);
      slot.server = server;
      server.setRef(true);
      const running = server;
      return await superviseForkedRun(spec, (forkOptions) => running.run(spec, forkOptions), {
        signal: options.signal,
        stopReason: options.stopReason,
        onOutput: options.onOutput,
        // One /proc walk per event-loop turn serves a burst of stops (fail-fast, close()).
        sweep: snapshotTree,
      });
    } catch (error) {
      return notRunResult(spec, 'error', error instanceof Error ? error.message : String(error));
    } finally {
      server?.setRef(false);
      this.#release(slot);
    }
  }

  #release(slot: Slot): void {
    this.#free.push(slot);
    // setTimeout fires at once for >= 2^31 ms: those mean "keep it warm".
    if (this.#idleMs >= 2 ** 31) return;
    slot.idleTimer = setTimeout(() => {
      if (!this.#free.includes(slot)) return;
      const old = slot.host;
      slot.host = new ForkServerHost();
      slot.server = null;
      const retired = old.close().finally(() => this.#retiring.delete(retired));
      this.#retiring.add(retired);
    }, this.#idleMs);
    slot.idleTimer.unref();
  }

  /** Closes every server and waits until each has exited and been reaped. */
  async close(): Promise<void> {
    await Promise.all(this.#slots.map(async (slot) => {
      clearTimeout(slot.idleTimer);
      await slot.host.close();
      slot.server = null;
    }));
    await Promise.all(this.#retiring);
  }
}
