// The launchers of one SupervisorPool, shared between its slots: a launcher runs up to
// `perLauncher` scripts at once, so a pool of N slots on C cores starts about min(N, C)
// launcher processes rather than N (a 50-wide pool on 2 cores: 2 launchers, each woken once
// for a burst of 25 stops). Launchers start on first use from the calling (main) thread, are
// shared by every spec they can serve, unref'd while idle and retired after idleMs.
// Invariants: no launcher runs more than perLauncher scripts; at most maxIdle launchers sit
// idle; close() leaves none running.
import type { ScriptSpec } from '../types.ts';
import { Launcher, type LaunchMode } from './launcher.ts';

/** What decides whether a launcher can run a spec: known before its process is up. */
interface Identity {
  mode: LaunchMode;
  python: string;
  preload: readonly string[];
  startEnv: Record<string, string>;
}

function modeOf(spec: ScriptSpec): LaunchMode {
  return spec.startMethod === 'forkserver' ? 'fork' : 'exec';
}

/**
 * Whether a launcher started as `launcher` can run `spec`. An exec'd script gets exactly the
 * environment it is sent. A fork inherits the launcher's start environment as
 * /proc/self/environ, so that must hold no variable the script was not given, and the PYTHON*
 * variables, which shaped the warm interpreter, must be the script's own.
 */
export function canServe(launcher: Identity, spec: ScriptSpec): boolean {
  if (launcher.mode !== modeOf(spec) || launcher.python !== spec.python) return false;
  if (launcher.mode === 'exec') return true;
  if (launcher.preload.length !== spec.preload.length || launcher.preload.some((name, i) => spec.preload[i] !== name))
    return false;
  const start = launcher.startEnv;
  for (const name in start) if (spec.env[name] !== start[name]) return false;
  for (const name in spec.env) if (name.startsWith('PYTHON') && start[name] !== spec.env[name]) return false;
  return true;
}

interface Entry {
  identity: Identity;
  started: Promise<Launcher>;
  /** set once started */
  launcher: Launcher | null;
  /** scripts running on it, or about to */
  leases: number;
  idleTimer: NodeJS.Timeout | undefined;
  /** how long it stays warm once idle (the last release's idleMs) */
  idleMs: number;
}

export interface LauncherSetOptions {
  /** scripts one launcher runs at once */
  perLauncher: number;
  /** idle launchers kept warm at most (the rest retire at once) */
  maxIdle: number;
}

export class LauncherSet {
  readonly #perLauncher: number;
  readonly #maxIdle: number;
  readonly #entries: Entry[] = [];
  readonly #retiring = new Set<Promise<void>>();
  /** released to no lease this turn: settled (unref'd, timed) on the next, unless taken back */
  readonly #idling = new Set<Entry>();
  #settling: NodeJS.Immediate | undefined;
  #closed = false;

  constructor(options: LauncherSetOptions) {
    this.#perLauncher = options.perLauncher;
    this.#maxIdle = options.maxIdle;
  }

  /** pids of the live launcher processes (diagnostics and tests) */
  get pids(): number[] {
    return this.#entries.flatMap((entry) => (entry.launcher?.alive ? [entry.launcher.pid] : []));
  }

  /** A live launcher for this spec with room for one more script; ref'd until release(). */
  async acquire(spec: ScriptSpec): Promise<Launcher> {
    if (this.#closed) throw new Error('the supervisor pool is closed');
    const entry = this.#pick(spec) ?? this.#start(spec);
    entry.leases++;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    try {
      const launcher = await entry.started;
      launcher.setRef(true);
      return launcher;
    } catch (error) {
      // A failed start is each waiting caller's to report; the next acquire starts afresh.
      entry.leases--;
      this.#remove(entry);
      throw error;
    }
  }

  /**
   * One script on `launcher` ended: once none runs there, it stops holding the event loop and
   * retires after idleMs. Both wait for the next turn of the event loop: a run's next script
   * usually takes the launcher back within this one, and then neither happens.
   */
  release(launcher: Launcher, idleMs: number): void {
    const entry = this.#entries.find((candidate) => candidate.launcher === launcher);
    if (!entry || --entry.leases > 0) return;
    if (!launcher.alive) {
      this.#retire(entry);
      return;
    }
    this.#trimIdle(entry);
    entry.idleMs = idleMs;
    this.#idling.add(entry);
    this.#settling ??= setImmediate(() => this.#settleIdle());
  }

  /** The launchers still idle a turn after their last release: unref'd, retired after idleMs. */
  #settleIdle(): void {
    this.#settling = undefined;
    for (const entry of this.#idling) {
      if (entry.leases > 0 || !this.#entries.includes(entry)) continue;
      entry.launcher!.setRef(false);
      // setTimeout fires at once for >= 2^31 ms: those mean "keep it warm".
      if (entry.idleMs >= 2 ** 31) continue;
      entry.idleTimer = setTimeout(() => this.#retire(entry), entry.idleMs);
      entry.idleTimer.unref();
    }
    this.#idling.clear();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearImmediate(this.#settling);
    this.#idling.clear();
    const entries = this.#entries.splice(0);
    await Promise.all(
      entries.map(async (entry) => {
        clearTimeout(entry.idleTimer);
        const launcher = await entry.started.catch(() => null);
        await launcher?.close();
      }),
    );
    await Promise.all(this.#retiring);
  }

  /** The fullest launcher that can serve the spec and has room: the fewest launchers stay warm. */
  #pick(spec: ScriptSpec): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.#entries) {
      if (entry.leases >= this.#perLauncher || (entry.launcher && !entry.launcher.alive)) continue;
      if (!canServe(entry.identity, spec)) continue;
      if (!best || entry.leases > best.leases) best = entry;
    }
    return best;
  }

  #start(spec: ScriptSpec): Entry {
    const identity: Identity = { mode: modeOf(spec), python: spec.python, preload: spec.preload, startEnv: spec.env };
    const entry: Entry = {
      identity,
      started: Launcher.start({
        mode: identity.mode,
        python: spec.python,
        preload: spec.preload,
        env: spec.env,
        width: this.#perLauncher,
      }),
      launcher: null,
      leases: 0,
      idleTimer: undefined,
      idleMs: 0,
    };
    entry.started.then(
      (launcher) => (entry.launcher = launcher),
      () => {},
    );
    this.#entries.push(entry);
    return entry;
  }

  /** Keeps at most maxIdle idle launchers, retiring the oldest idle ones beyond it (never `keep`). */
  #trimIdle(keep: Entry): void {
    const idle = this.#entries.filter((entry) => entry.leases === 0 && entry !== keep);
    for (const entry of idle.slice(0, Math.max(0, idle.length + 1 - this.#maxIdle))) this.#retire(entry);
  }

  #retire(entry: Entry): void {
    if (!this.#remove(entry)) return;
    clearTimeout(entry.idleTimer);
    const retired = entry.started
      .then(
        (launcher) => launcher.close(),
        () => {},
      )
      .finally(() => this.#retiring.delete(retired));
    this.#retiring.add(retired);
  }

  #remove(entry: Entry): boolean {
    const at = this.#entries.indexOf(entry);
    if (at < 0) return false;
    this.#entries.splice(at, 1);
    return true;
  }
}
