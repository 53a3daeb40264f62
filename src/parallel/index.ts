// Public surface of the parallel runner subsystem (re-exported by src/index.ts).
export { ParallelRunner, type ParallelRunnerOptions, type RunScriptsOptions } from './parallel-runner.ts';
export { BatchRunner, type BatchRunnerOptions, type RunBatchesOptions } from './batch-runner.ts';
export { ExecutionResult, type ExecutionCounts } from '../seam/execution-result.ts';
export type { ScriptConfig } from './build-plan.ts';
export type { ProgressCallback, ParallelEvents, ParallelEventName, EventBusLike } from './events.ts';
