// The scheduler's only way to its `backend`: the options are checked at construction and a
// job's at schedule time (TypeErrors, without BullMQ); the Redis side is loaded through the
// seam (src/seam/backend-seam.ts) when the first remote job runs.
// Invariant: close() closes whatever was connected, and connects nothing.
import type { FunctionRef, FunctionResult, RunFunctionOptions } from '../function/types.ts';
import {
  backendRoot,
  checkBackendOptions,
  type BackendOptions,
  type RemoteJobOptions,
} from '../seam/backend-options.ts';
import { loadBackend, type EnvRule, type RemoteJobs } from '../seam/backend-seam.ts';
import { toFunctionJobData } from '../seam/function-job-data.ts';
import type { ScriptResult, ScriptSpec } from '../script/types.ts';

export class RemoteBackend {
  readonly #options: BackendOptions;
  readonly #optionName: string;
  /** scripts and modules are sent relative to it: fixed now, whatever the cwd is later */
  readonly root: string;
  #jobs: Promise<RemoteJobs> | null = null;

  /** @throws TypeError naming the option when `options` is not a valid backend */
  constructor(options: unknown, optionName: string) {
    this.#options = checkBackendOptions(options, optionName);
    this.#optionName = optionName;
    this.root = backendRoot(this.#options);
  }

  #remote(): Promise<RemoteJobs> {
    this.#jobs ??= loadBackend().then((m) =>
      m.createRemoteJobs({ ...this.#options, root: this.root }, this.#optionName),
    );
    return this.#jobs;
  }

  async runScript(spec: ScriptSpec, job: RemoteJobOptions, envRule: EnvRule): Promise<ScriptResult> {
    return (await this.#remote()).runScript(spec, job, envRule);
  }

  /** Checks the FunctionRef and its options now (TypeError); the returned run sends it. */
  prepareFunction(
    fn: FunctionRef,
    options: RunFunctionOptions,
    what: string,
  ): (job: RemoteJobOptions) => Promise<FunctionResult<unknown>> {
    toFunctionJobData(fn, options, this.root, '', 0, what);
    return async (job) => (await this.#remote()).prepareFunction(fn, options, what)(job);
  }

  async close(): Promise<void> {
    if (this.#jobs) await (await this.#jobs).close();
  }
}
