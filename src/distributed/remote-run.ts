// RemoteRun: one ParallelRunner run carried out by `ergate worker`s through BullMQ. It is the
// runner's ScriptPool for that run (run(spec) resolves with the script's ScriptResult), so
// progress events, counts and fail-fast stay the runner's own; the runner keeps at most
// `window` jobs in the queue and adds more as results come back. Retries are BullMQ attempts
// (handlesRetries), so a script is reported exactly once. The manifest records the whole run
// and its progress how far the adding got, for attachRun.
import type { Job } from 'bullmq';
import { bareCancelReason, describeAbortedSignal } from '../internal/cancellation.ts';
import { errorResult } from '../script/error-result.ts';
import type { ScriptResult, ScriptSpec } from '../script/types.ts';
import type { PlannedScript } from '../parallel/build-plan.ts';
import type { EnvRule } from './job-payload.ts';
import { toScriptResult } from './job-result.ts';
import { scriptJobId } from './queue-names.ts';
import type { RedisBackend } from './redis-backend.ts';
import { buildManifest, jobOf, type RunManifest, type RunProgress } from './run-manifest.ts';

/** Jobs of one run in the queue at once (sent, not yet finished). @default */
export const DEFAULT_WINDOW = 1_000;
/** How often, at most, the manifest's progress is written while adding. */
const PROGRESS_MS = 1_000;
/** finish() waits at most this long to record that the run is over. */
const FINISH_WAIT_MS = 2_000;

export class RemoteRun {
  readonly handlesRetries = true;
  readonly runId: string;
  readonly window: number;
  readonly #backend: RedisBackend;
  readonly #manifest: RunManifest;
  readonly #record: Job;
  readonly #indexBySpec = new Map<ScriptSpec, number>();
  /** per plan index: its place in the order jobs are added */
  readonly #position: Uint32Array;
  /** per place in that order: added (or nothing to add) */
  readonly #added: Uint8Array;
  #addedThrough = 0;
  #progressTimer: NodeJS.Timeout | null = null;

  private constructor(backend: RedisBackend, manifest: RunManifest, record: Job, plan: PlannedScript[]) {
    this.#backend = backend;
    this.#manifest = manifest;
    this.#record = record;
    this.runId = manifest.runId;
    this.window = backend.options.window ?? DEFAULT_WINDOW;
    this.#added = new Uint8Array(plan.length);
    this.#position = new Uint32Array(plan.length);
    plan.forEach((item, position) => {
      this.#position[item.index] = position;
      if (item.spec) this.#indexBySpec.set(item.spec, item.index);
      // Nothing to add for a script that cannot be sent.
      if (manifest.templateOf[item.index] < 0) this.#added[position] = 1;
    });
    this.#advance();
  }

  /**
   * Connects and records the run's manifest, so another coordinator can re-attach by id.
   * @param plan the run's scripts in the order the runner starts them
   */
  static async open(backend: RedisBackend, plan: PlannedScript[], envRule: EnvRule): Promise<RemoteRun> {
    await backend.connect();
    const manifest = buildManifest(backend.newRunId(), backend.root, plan, envRule);
    const record = await backend.writeManifest(manifest);
    return new RemoteRun(backend, manifest, record, plan);
  }

  async run(spec: ScriptSpec, options: { signal?: AbortSignal; retries?: number } = {}): Promise<ScriptResult> {
    const index = this.#indexBySpec.get(spec);
    if (index === undefined) return errorResult(spec.script, 'internal: the script is not part of this run', 'error');
    const { signal } = options;
    if (signal?.aborted) return errorResult(spec.script, describeAbortedSignal(signal), 'cancelled');
    const job = jobOf(this.#manifest, index);
    if ('error' in job) return errorResult(spec.script, job.error, 'error');
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
    const onAbort = (): void => void this.#backend.cancelJob(jobId, bareCancelReason(signal!.reason), finished);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await finished;
      if (result === null && signal?.aborted)
        return errorResult(spec.script, describeAbortedSignal(signal), 'cancelled');
      return toScriptResult(result, spec.script);
    } finally {
      signal?.removeEventListener('abort', onAbort);
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
