// Owns the one way from the runners and the scheduler to src/distributed: the interfaces each
// side holds (a run's remote pool, the scheduler's remote jobs) and loadBackend(), the only
// import of src/distributed below the CLI, lazy, so BullMQ loads only when a backend is used.
// Invariant: no runner or core module imports src/distributed (test/seam/layers.test.ts).
import type { FunctionRef, FunctionResult, RunFunctionOptions } from '../function/types.ts';
import type { ScriptResult, ScriptSpec } from '../script/types.ts';
import type { BackendOptions, RemoteJobOptions } from './backend-options.ts';
import type { PlannedScript } from './planned-script.ts';
import type { ScriptPool } from './script-pool.ts';

/** Which of the coordinator's variables a job may carry (the runner's inheritEnv/envAllowList). */
export interface EnvRule {
  inheritEnv: boolean;
  envAllowList: string[];
}

/** What a run's manifest is built from: its plan, resolved one script at a time. */
export interface RunSource {
  size: number;
  /** plan indices in the order their jobs are added; null for 0, 1, 2, ... */
  order: readonly number[] | null;
  resolve(index: number): PlannedScript;
}

/** One run carried out by a backend: the runner's ScriptPool for that run. */
export interface RemotePool extends ScriptPool {
  readonly runId: string;
  /** jobs of the run in the queue at once */
  readonly window: number;
  /** records that the run is over (bounded wait) */
  finish(): Promise<void>;
}

/** A runner's backend: opens each run's pool. */
export interface RemoteBackend {
  /** Connects (first time), records the run's manifest; the pool runs the run's scripts. */
  openRun(source: RunSource, envRule: EnvRule): Promise<RemotePool>;
  close(): Promise<void>;
}

/** The scheduler's single jobs (scripts, FunctionRefs), each awaited to its final state. */
export interface RemoteJobs {
  runScript(spec: ScriptSpec, job: RemoteJobOptions, envRule: EnvRule): Promise<ScriptResult>;
  /** Checks a FunctionRef and its options now (TypeError), and returns what runs it later. */
  prepareFunction(
    fn: FunctionRef,
    options: RunFunctionOptions,
    what: string,
  ): (job?: RemoteJobOptions) => Promise<FunctionResult<unknown>>;
  close(): Promise<void>;
}

/** What src/distributed/remote-factory.ts provides. */
export interface BackendFactory {
  createRemoteBackend(options: BackendOptions, optionName: string): RemoteBackend;
  createRemoteJobs(options: BackendOptions, optionName: string): RemoteJobs;
}

/** Loads the Redis side on first use (BullMQ with it); later calls reuse the module. */
export function loadBackend(): Promise<BackendFactory> {
  return import('../distributed/remote-factory.ts');
}
