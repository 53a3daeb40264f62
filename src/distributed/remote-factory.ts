// The one way a runner or the scheduler reaches Redis: loaded lazily (import()) on first use
// of a `backend`, it makes the coordinator's RedisBackend and opens each run's RemoteRun (the
// runner's ScriptPool), or the scheduler's RemoteJobs. Invariant: nothing outside src/distributed holds a
// BullMQ object, and close() disconnects whatever was connected.
import type { EnvRule } from './job-payload.ts';
import { RedisBackend } from './redis-backend.ts';
import { RemoteJobs } from './remote-jobs.ts';
import { RemoteRun } from './remote-run.ts';
import type { RunSource } from './run-manifest.ts';
import type { BackendOptions } from '../seam/backend-options.ts';

export interface RemoteBackend {
  /** Connects (first time), records the run's manifest; the RemoteRun is the run's ScriptPool. */
  openRun(source: RunSource, envRule: EnvRule): Promise<RemoteRun>;
  close(): Promise<void>;
}

export function createRemoteBackend(options: BackendOptions, optionName: string): RemoteBackend {
  const backend = new RedisBackend(options, optionName);
  return {
    openRun: (source, envRule) => RemoteRun.open(backend, source, envRule),
    close: () => backend.close(),
  };
}

/** The scheduler's single jobs (scripts, FunctionRefs), each awaited to its final state. */
export function createRemoteJobs(options: BackendOptions, optionName: string): RemoteJobs {
  return new RemoteJobs(options, optionName);
}
