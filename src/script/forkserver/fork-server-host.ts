// Keeps one warm ForkServer for a supervisor: started on first use, replaced when it has
// died or when a script needs a different interpreter, preload list or PYTHON* environment
// (those shape the interpreter at start-up, so a fork cannot change them).
// Invariant: at most one server alive per host; close() leaves none running.
import type { ScriptResult, ScriptSpec } from '../types.ts';
import { ForkServer } from './fork-server.ts';
import { notRunResult, type RunForkedOptions } from './run-forked.ts';

/** What a server must have been started with to run this spec. */
function describeServer(spec: ScriptSpec): string {
  const startupEnv = Object.entries(spec.env).filter(([name]) => name.startsWith('PYTHON')).sort();
  return JSON.stringify([spec.python, spec.preload, startupEnv]);
}

export class ForkServerHost {
  #server: Promise<ForkServer> | null = null;
  #key = '';
  #closed = false;

  /** Runs a spec on the warm server, (re)starting it as needed. Never rejects. */
  async run(spec: ScriptSpec, options: RunForkedOptions = {}): Promise<ScriptResult> {
    let server: ForkServer;
    try {
      server = await this.acquire(spec);
    } catch (error) {
      return notRunResult(spec, 'error', error instanceof Error ? error.message : String(error));
    }
    return server.run(spec, options);
  }

  /** The live server for this spec; starts or replaces it when needed. */
  async acquire(spec: ScriptSpec): Promise<ForkServer> {
    if (this.#closed) throw new Error('the fork server host is closed');
    const key = describeServer(spec);
    if (this.#server && this.#key === key) {
      const current = await this.#server.catch(() => null);
      if (current?.alive) return current;
    }
    const previous = this.#server;
    this.#key = key;
    this.#server = (async () => {
      await previous?.then((old) => old.close(), () => {});
      return ForkServer.start({ python: spec.python, preload: spec.preload, env: { ...process.env, ...spec.env } });
    })();
    // A failed start is reported to this caller and retried by the next one.
    this.#server.catch(() => (this.#key = ''));
    return this.#server;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const server = await this.#server?.catch(() => null);
    this.#server = null;
    await server?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
