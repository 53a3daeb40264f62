// RemoteRun: one ParallelRunner run carried out by `ergate worker`s through BullMQ. It is the
// runner's ScriptPool for that run (run(spec, {index}) resolves with the script's result), so
// progress events, counts and fail-fast stay the runner's own; the runner keeps at most
// `window` jobs in the queue and adds more as results come back. Retries are BullMQ attempts
// (handlesRetries), so a script is reported exactly once. The manifest records the whole run
// and its progress how far the adding got, for attachRun; per script this keeps a few bytes.
import { bareCancelReason, describeAbortedSignal } from '../internal/cancellation.ts';
import { errorResult } from '../script/script-result.ts';
import type { ScriptResult, ScriptSpec } from '../script/types.ts';
import type { EnvRule, RemotePool, RunSource } from '../seam/backend-seam.ts';
import { onAbort } from './abort-fanout.ts';
import { portablePath } from './job-payload.ts';
import { toScriptResult } from './job-result.ts';
import { scriptJobId } from './queue-names.ts';

import type { RedisBackend } from './redis-backend.ts';
import { jobOf, ManifestBuilder, type ManifestJob, type RunProgress } from './run-manifest.ts';

/** Jobs of one run in the queue at once (sent, not yet finished). @default */
export const DEFAULT_WINDOW = 1_000;
/** How often, at most, the manifest's progress is written while adding. */
const PROGRESS_MS = 1_000;
/** finish() waits at most this long to record that the run is over. */
const FINISH_WAIT_MS = 2_000;

export class RemoteRun implements RemotePool {
  readonly handlesRetries = true;
  readonly runId: string;
  readonly window: number;
  readonly #backend: RedisBackend;
  readonly #manifest: ManifestBuilder;
  readonly #record: ManifestJob;
  /** per plan index: its place in the order jobs are added */
  readonly #position: Uint32Array;
  /** per place in that order: added (or nothing to add) */
  readonly #added: Uint8Array;
  #addedThrough = 0;
  #progressTimer: NodeJS.Timeout | null = null;

  private constructor(backend: RedisBackend, manifest: ManifestBuilder, record: ManifestJob, source: RunSource) {
    this.#backend = backend;
    this.#manifest = manifest;
    this.#record = record;
    this.runId = manifest.runId;
    this.window = backend.options.window ?? DEFAULT_WINDOW;
    this.#added = new Uint8Array(source.size);
    this.#position = new Uint32Array(source.size);
    for (let position = 0; position < source.size; position++) {
      const index = source.order?.[position] ?? position;
      this.#position[index] = position;
      // Nothing to add for a script that cannot be sent.
      if (manifest.templateOf[index] < 0) this.#added[position] = 1;
    }
    this.#advance();
  }

  /**
   * Connects and records the run's manifest, chunk by chunk as each script is resolved, so
   * another coordinator can re-attach by id. No job is added before the manifest is complete.
   */
  static async open(backend: RedisBackend, source: RunSource, envRule: EnvRule): Promise<RemoteRun> {
    await backend.connect();
    const envCheck = await backend.workerEnvCheck();
    const manifest = new ManifestBuilder(backend.newRunId(), backend.root, envRule, source.size, envCheck);
    const record = await backend.writeManifest(manifest, source);
    return new RemoteRun(backend, manifest, record, source);
  }

  async run(
    spec: ScriptSpec,
    options: { signal?: AbortSignal; retries?: number; index?: number } = {},
  ): Promise<ScriptResult> {
    const { index, signal } = options;
    const template = index === undefined ? -1 : (this.#manifest.templateOf[index] ?? -1);
    if (index === undefined || template < 0) {
      const why = this.#manifest.errors.get(index ?? -1) ?? 'internal: the script is not part of this run';
      return errorResult(spec.script, why, 'error');
    }
    if (signal?.aborted) return errorResult(spec.script, describeAbortedSignal(signal), 'cancelled');
    const job = jobOf(this.#manifest, index, portablePath(this.#manifest.root, spec.script)!, template);
    const jobId = scriptJobId(this.runId, index);
    const { added, finished } = this.#backend.submit(jobId, job.data, options.retries ?? job.retries);
    try {
      await added;
    } catch (error) {
      return errorResult(
        spec.script,
        `could not queue the script on ${this.#backend.target.display}: ${(error as Error).message}`,
        'error',
      );
    }
    this.#added[this.#position[index]] = 1;
    this.#advance();
    // The worker's pool words it as "cancelled: <reason>", like an in-process abort.
    const cancel = (): void => void this.#backend.cancelJob(jobId, bareCancelReason(signal!.reason), finished);
    const forget = signal ? onAbort(signal, cancel) : null;
    try {
      const result = await finished;
      if (result === null && signal?.aborted)
        return errorResult(spec.script, describeAbortedSignal(signal), 'cancelled');
      return toScriptResult(result, spec.script);
    } finally {
      forget?.();
    }
  }

  /** Moves the added prefix on; its progress is written at most once per PROGRESS_MS. */
  #advance(): void {
    while (this.#addedThrough < this.#added.length && this.#added[this.#addedThrough] === 1) this.#addedThrough += 1;
    this.#progressTimer ??= setTimeout(() => {
      this.#progressTimer = null;
      void this.#writeProgress(false);
    }, PROGRESS_MS);
  }

  #writeProgress(closed: boolean): Promise<void> {
    const progress: RunProgress = { addedThrough: this.#addedThrough, closed };
    return this.#record.updateProgress(progress as unknown as object).catch(() => undefined);
  }

  /** The run is over (finished, failed fast or cancelled): a re-attaching coordinator adds nothing. */
  async finish(): Promise<void> {
    if (this.#progressTimer) clearTimeout(this.#progressTimer);
    this.#progressTimer = null;
    // Bounded: with Redis gone the write would wait for it forever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#writeProgress(true),
      new Promise((resolve) => {
        timer = setTimeout(resolve, FINISH_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }
}
