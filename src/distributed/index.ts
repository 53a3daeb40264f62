// Public surface of the distributed subsystem (issue 9): workers, the runners' backend
// option, and re-attaching to a run by id.
export { ErgateWorker, type ErgateWorkerOptions, type RemoteScriptResult } from './worker.ts';
export { attachRun, type AttachRunOptions } from './attach-run.ts';
export type { BackendOptions } from '../seam/backend-options.ts';
export { runRemoteFunction } from './remote-jobs.ts';
export type { RemoteJobOptions } from '../seam/backend-options.ts';
