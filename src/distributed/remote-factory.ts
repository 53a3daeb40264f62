// The one way a runner or the scheduler reaches Redis, loaded lazily by src/seam/backend-seam.ts
// (loadBackend) on first use of a `backend`: it makes the coordinator's RedisBackend and opens
// each run's RemoteRun (the runner's ScriptPool), or the scheduler's RemoteJobs. Invariant:
// nothing outside src/distributed holds a BullMQ object, and close() disconnects whatever was connected.
import type { RemoteBackend, RemoteJobs } from '../seam/backend-seam.ts';
import type { BackendOptions } from '../seam/backend-options.ts';
import { RedisBackend } from './redis-backend.ts';
import { RemoteJobs as BullRemoteJobs } from './remote-jobs.ts';
import { RemoteRun } from './remote-run.ts';

export function createRemoteBackend(options: BackendOptions, optionName: string): RemoteBackend {
  const backend = new RedisBackend(options, optionName);
  return {
    openRun: (source, envRule) => RemoteRun.open(backend, source, envRule),
    close: () => backend.close(),
  };
}

/** The scheduler's single jobs (scripts, FunctionRefs), each awaited to its final state. */
export function createRemoteJobs(options: BackendOptions, optionName: string): RemoteJobs {
  return new BullRemoteJobs(options, optionName);
}
