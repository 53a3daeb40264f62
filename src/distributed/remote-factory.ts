// The one way a runner reaches Redis: loaded lazily (import()) on a runner's first run with
// a `backend`, it makes the coordinator's RedisBackend and opens each run's RemoteRun, which
// the runner uses only as its ScriptPool. Invariant: nothing outside src/distributed holds a
// BullMQ object, and close() disconnects whatever was connected.
import type { PlannedScript } from '../parallel/build-plan.ts';
import type { EnvRule } from './job-payload.ts';
import { RedisBackend } from './redis-backend.ts';
import { RemoteRun } from './remote-run.ts';
import type { BackendOptions } from './validate-options.ts';

export interface RemoteBackend {
  /** Connects (first time), records the run's manifest; the RemoteRun is the run's ScriptPool. */
  openRun(plan: PlannedScript[], envRule: EnvRule): Promise<RemoteRun>;
  close(): Promise<void>;
}

export function createRemoteBackend(options: BackendOptions, optionName: string): RemoteBackend {
  const backend = new RedisBackend(options, optionName);
  return {
    openRun: (plan, envRule) => RemoteRun.open(backend, plan, envRule),
    close: () => backend.close(),
  };
}
