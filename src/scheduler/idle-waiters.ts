// The promises behind AsyncScheduler.onIdle()/runAll() (nothing pending or running) and
// stop() (nothing running). The scheduler reports transitions; waiters are resolved in
// one sweep, so waiting costs nothing per job.

export class IdleWaiters {
  #idle: Array<() => void> = [];
  #noneRunning: Array<() => void> = [];

  /** Resolves now if `idleNow`, else at the next report of idleness. */
  wait(idleNow: boolean): Promise<void> {
    if (idleNow) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  waitForNoneRunning(noneRunningNow: boolean): Promise<void> {
    if (noneRunningNow) return Promise.resolve();
    return new Promise((resolve) => this.#noneRunning.push(resolve));
  }

  /** Reports that no job is running; `idle` says whether none is pending either. */
  noneRunning(idle: boolean): void {
    if (this.#noneRunning.length > 0) release(this.#noneRunning.splice(0));
    if (idle && this.#idle.length > 0) release(this.#idle.splice(0));
  }
}

function release(resolvers: Array<() => void>): void {
  for (const resolve of resolvers) resolve();
}
