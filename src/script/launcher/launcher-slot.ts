// One supervisor slot's launcher: started on first use (from the calling thread, which for a
// pool is the main thread), kept warm between scripts, replaced when it died or cannot serve
// the next script, unref'd while idle and retired after idleMs.
// Invariant: at most one launcher alive per slot; close() leaves none running.
import type { ScriptSpec } from '../types.ts';
import { Launcher } from './launcher.ts';

function modeOf(spec: ScriptSpec): 'exec' | 'fork' {
  return spec.startMethod === 'forkserver' ? 'fork' : 'exec';
}

/**
 * Whether `launcher` can run `spec`. An exec'd script gets exactly the environment it is
 * sent. A fork inherits the launcher's start environment as /proc/self/environ, so that must
 * hold no variable the script was not given, and the PYTHON* variables, which shaped the
 * warm interpreter, must be the script's own.
 */
export function canServe(launcher: Launcher, spec: ScriptSpec): boolean {
  if (!launcher.alive || launcher.mode !== modeOf(spec) || launcher.python !== spec.python) return false;
  if (launcher.mode === 'exec') return true;
  if (launcher.preload.length !== spec.preload.length || launcher.preload.some((name, i) => spec.preload[i] !== name))
    return false;
  const start = launcher.startEnv;
  for (const name in start) if (spec.env[name] !== start[name]) return false;
  for (const name in spec.env) if (name.startsWith('PYTHON') && start[name] !== spec.env[name]) return false;
  return true;
}

export class LauncherSlot {
  #launcher: Promise<Launcher> | null = null;
  #current: Launcher | null = null;
  #idleTimer: NodeJS.Timeout | undefined;
  #retiring = new Set<Promise<void>>();
  #closed = false;

  /** pid of the live launcher, if any (diagnostics and tests) */
  get pid(): number | null {
    return this.#current?.alive ? this.#current.pid : null;
  }

  /** The live launcher for this spec, started or replaced as needed; ref'd until release(). */
  async acquire(spec: ScriptSpec): Promise<Launcher> {
    if (this.#closed) throw new Error('the supervisor pool is closed');
    clearTimeout(this.#idleTimer);
    let current = this.#current;
    if (!current || !canServe(current, spec)) {
      const previous = this.#launcher;
      this.#current = null;
      this.#launcher = (async () => {
        await previous?.then(
          (old) => old.close(),
          () => {},
        );
        return Launcher.start({
          python: spec.python,
          mode: modeOf(spec),
          preload: spec.preload,
          env: spec.env,
        });
      })();
      // A failed start is reported to this caller; the next acquire starts afresh.
      this.#launcher.catch(() => (this.#launcher = null));
      current = await this.#launcher;
      this.#current = current;
    }
    current.setRef(true);
    return current;
  }

  /** The slot is idle: its launcher no longer holds the event loop, and retires after idleMs. */
  release(idleMs: number): void {
    const launcher = this.#current;
    if (!launcher) return;
    launcher.setRef(false);
    // setTimeout fires at once for >= 2^31 ms: those mean "keep it warm".
    if (idleMs >= 2 ** 31) return;
    this.#idleTimer = setTimeout(() => {
      if (this.#current !== launcher) return;
      this.#current = null;
      this.#launcher = null;
      const retired = launcher.close().finally(() => this.#retiring.delete(retired));
      this.#retiring.add(retired);
    }, idleMs);
    this.#idleTimer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    const launcher = await this.#launcher?.catch(() => null);
    this.#launcher = null;
    this.#current = null;
    await launcher?.close();
    await Promise.all(this.#retiring);
  }
}
