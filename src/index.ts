// Public entry of ergate: everything in docs/API.md is exported from here.
// Each section is owned by one subsystem folder; keep exports grouped by section.

// --- Scripts (src/script/) ---
export type { RunScriptOptions, ScriptResult, ScriptStatus, StartMethod, ErgateLogger } from './script/types.ts';
export type { ScriptPath } from './script/validate-options.ts';
export { runScript } from './script/run-script.ts';

// --- Functions (src/function/) ---
export {
  runFunction,
  closeFunctionPool,
  wrapModule,
  FunctionCallError,
  type ModuleProxy,
  type WrapModuleOptions,
} from './function/index.ts';
export type { FunctionRef, RunFunctionOptions, FunctionResult, FunctionStatus } from './function/index.ts';

// --- Parallel and batch (src/parallel/) ---
export {
  ParallelRunner,
  BatchRunner,
  ExecutionResult,
  type ParallelRunnerOptions,
  type RunScriptsOptions,
  type BatchRunnerOptions,
  type RunBatchesOptions,
  type ScriptConfig,
  type ExecutionCounts,
  type ProgressCallback,
  type ParallelEvents,
  type ParallelEventName,
  type EventBusLike,
} from './parallel/index.ts';

// --- Async tasks (src/task/) ---
export {
  AsyncParallelRunner,
  type AsyncParallelRunnerOptions,
  type AsyncRunOptions,
} from './task/async-parallel-runner.ts';
export { AsyncExecutionResult, type AsyncTaskResult, type AsyncTaskStatus } from './task/execution-result.ts';
export { currentSignal } from './task/scope.ts';
export { AbortError, TimeoutError } from './task/abort-reasons.ts';

// --- Scheduler (src/scheduler/) ---
export { AsyncScheduler, type AsyncSchedulerOptions, type ScheduleOptions } from './scheduler/async-scheduler.ts';
export { AsyncJobStatus, type AsyncJob } from './scheduler/job-status.ts';
export type { SchedulerMetrics } from './scheduler/scheduler-metrics.ts';
export type { SchedulerEvent, JobEventPayload } from './scheduler/emit-event.ts';
export type { ScheduleScriptOptions } from './scheduler/script-job.ts';
export { JobFailure } from './scheduler/job-failure.ts';

// --- Distributed (src/distributed/) ---
export {
  ErgateWorker,
  attachRun,
  type ErgateWorkerOptions,
  type RemoteScriptResult,
  type AttachRunOptions,
  type BackendOptions,
} from './distributed/index.ts';
export { runRemoteFunction, type RemoteJobOptions } from './distributed/index.ts';
export type { ScheduleFunctionOptions } from './scheduler/backend-jobs.ts';
