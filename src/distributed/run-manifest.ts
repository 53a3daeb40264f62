// Owns a distributed run's manifest: a small header (the distinct sets of job options) and one
// entry per script, in the order its job is added, written to Redis in chunks as the plan is
// resolved one script at a time, so a re-attaching coordinator can add the jobs a dead one
// never added. Invariant: the job data rebuilt from a manifest equals what the coordinator
// sends for that index, and the coordinator keeps only a few bytes per script.
import type { EnvRule, RunSource } from '../seam/backend-seam.ts';
import type { PlannedScript } from '../seam/planned-script.ts';
import { portablePath, toJobData, type ScriptJobData } from './job-payload.ts';

/** The manifest's BullMQ job, as the run updates it (a bullmq Job, named here without bullmq so the public declarations never import it). */
export interface ManifestJob {
  updateProgress(progress: object): Promise<void>;
}

/** A job's data without what differs per script (run id, index, script path). */
export type JobTemplate = Omit<ScriptJobData, 'runId' | 'index' | 'script'> & { retries: number };

/** The manifest's header: the data of the runs-queue job named by the run id. */
export interface RunManifest {
  runId: string;
  createdAt: string;
  /** scripts in the run */
  size: number;
  /** distinct job options of the run */
  templates: JobTemplate[];
  /** how many chunks of entries the job's log holds; absent until all are written */
  chunks?: number;
}

/**
 * One script: its plan index; its path relative to the shared root ('/'-separated), or the
 * coordinator's absolute path when it lies outside; its template, or why it cannot be sent.
 */
export type ManifestEntry = [index: number, script: string, job: number | string];

/** How far the coordinator got: the first addedThrough entries (in the manifest's order) are in the queue. */
export interface RunProgress {
  addedThrough: number;
  /** the coordinator finished (or stopped) the run itself: nothing more is to be added */
  closed: boolean;
}

/** Entries per chunk (one log line in Redis). */
const CHUNK = 2_000;

/** Builds the manifest's entries chunk by chunk and keeps what the coordinator needs to send each job. */
export class ManifestBuilder {
  readonly templates: JobTemplate[] = [];
  /** per plan index: its template, -1 when it cannot be sent */
  readonly templateOf: Int32Array;
  /** per plan index that cannot be sent although its spec was built: why */
  readonly errors = new Map<number, string>();
  readonly #byKey = new Map<string, number>();
  readonly #baselines = new Map<string, Record<string, string>>();
  readonly #createdAt = new Date().toISOString();

  /**
   * @param envCheck what the live workers would refuse of a job's env (worker-rules.ts): such a
   *   script is never sent, its result says why
   */
  constructor(
    readonly runId: string,
    readonly root: string,
    readonly envRule: EnvRule,
    size: number,
    readonly envCheck: ((env: Record<string, string>) => string | null) | null = null,
  ) {
    this.templateOf = new Int32Array(size).fill(-1);
  }

  /** Resolves every script of `source` in add order; each spec is dropped once its entry is made. */
  *chunks(source: RunSource): Generator<ManifestEntry[]> {
    let chunk: ManifestEntry[] = [];
    for (let position = 0; position < source.size; position++) {
      chunk.push(this.#entry(source.resolve(source.order?.[position] ?? position)));
      if (chunk.length === CHUNK || position === source.size - 1) {
        yield chunk;
        chunk = [];
      }
    }
  }

  /** @param chunks how many chunks were written; undefined while they are being written */
  header(chunks: number | undefined): RunManifest {
    const { runId, templates } = this;
    const size = this.templateOf.length;
    return { runId, createdAt: this.#createdAt, size, templates, ...(chunks !== undefined && { chunks }) };
  }

  #entry(item: PlannedScript): ManifestEntry {
    const script = portablePath(this.root, item.script) ?? item.script;
    if (!item.spec) return [item.index, script, item.error ?? 'could not be run'];
    try {
      const {
        runId: _runId,
        index: _index,
        script: _script,
        ...rest
      } = toJobData(item.spec, this.root, this.runId, item.index, this.envRule, this.#baselines);
      const refused = this.envCheck?.(rest.env);
      if (refused) throw new Error(refused);
      const template: JobTemplate = { ...rest, retries: item.retries };
      const key = JSON.stringify(template);
      let at = this.#byKey.get(key);
      if (at === undefined) {
        at = this.templates.push(template) - 1;
        this.#byKey.set(key, at);
      }
      this.templateOf[item.index] = at;
      return [item.index, script, at];
    } catch (error) {
      this.errors.set(item.index, (error as Error).message);
      return [item.index, script, (error as Error).message];
    }
  }
}

/** The job of plan index `index` (relative path `script`) from its template. */
export function jobOf(
  manifest: Pick<RunManifest, 'runId' | 'templates'>,
  index: number,
  script: string,
  template: number,
): { data: ScriptJobData; retries: number } {
  const { retries, ...rest } = manifest.templates[template];
  return { data: { ...rest, runId: manifest.runId, index, script }, retries };
}
