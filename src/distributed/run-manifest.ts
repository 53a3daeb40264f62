// Owns a distributed run's manifest: the whole list of scripts and, compactly, every job's
// data (one template per distinct set of options, then the template of each script), so a
// re-attaching coordinator can add the jobs a dead coordinator never added. Invariant: the
// job data rebuilt from a manifest equals what the coordinator sends for that index.
import path from 'node:path';
import type { PlannedScript } from '../parallel/build-plan.ts';
import { toJobData, type EnvRule, type ScriptJobData } from './job-payload.ts';

/** A job's data without what differs per script (run id, index, script path). */
export type JobTemplate = Omit<ScriptJobData, 'runId' | 'index' | 'script'> & { retries: number };

export interface RunManifest {
  runId: string;
  createdAt: string;
  /** per plan index: the script relative to the shared root, or null if it was not sendable */
  scripts: Array<string | null>;
  /** per plan index: the coordinator's absolute path (for names in results) */
  paths: string[];
  /** distinct job options of the run */
  templates: JobTemplate[];
  /** per plan index: its template, or -1 when the script cannot be sent (then `errors` says why) */
  templateOf: number[];
  errors: Record<number, string>;
  /** plan indices in the order their jobs are added; absent when that is 0, 1, 2, ... */
  order?: number[];
}

/** How far the coordinator got: the first addedThrough jobs (in the manifest's order) are in the queue. */
export interface RunProgress {
  addedThrough: number;
  /** the coordinator finished (or stopped) the run itself: nothing more is to be added */
  closed: boolean;
}

/** @param plan the run's scripts in the order their jobs will be added */
export function buildManifest(runId: string, root: string, plan: PlannedScript[], envRule: EnvRule): RunManifest {
  const templates: JobTemplate[] = [];
  const byKey = new Map<string, number>();
  const size = plan.length;
  const templateOf: number[] = new Array<number>(size).fill(-1);
  const scripts: Array<string | null> = new Array<string | null>(size).fill(null);
  const paths: string[] = new Array<string>(size).fill('');
  const errors: Record<number, string> = {};
  const baselines = new Map<string, Record<string, string>>();
  for (const item of plan) {
    const relative = path.relative(root, item.script);
    scripts[item.index] =
      relative.startsWith('..') || path.isAbsolute(relative) ? null : relative.split(path.sep).join('/');
    paths[item.index] = item.script;
    if (!item.spec) {
      errors[item.index] = item.error ?? 'could not be run';
      continue;
    }
    try {
      const {
        runId: _runId,
        index: _index,
        script: _script,
        ...rest
      } = toJobData(item.spec, root, runId, item.index, envRule, baselines);
      const template: JobTemplate = { ...rest, retries: item.retries };
      const key = JSON.stringify(template);
      let at = byKey.get(key);
      if (at === undefined) {
        at = templates.push(template) - 1;
        byKey.set(key, at);
      }
      templateOf[item.index] = at;
    } catch (error) {
      errors[item.index] = (error as Error).message;
    }
  }
  const identity = plan.every((item, position) => item.index === position);
  return {
    runId,
    createdAt: new Date().toISOString(),
    scripts,
    paths,
    templates,
    templateOf,
    errors,
    ...(!identity && { order: plan.map((item) => item.index) }),
  };
}

/** Plan indices in the order their jobs are added. */
export function addOrder(manifest: RunManifest): number[] {
  return manifest.order ?? manifest.scripts.map((_, index) => index);
}

/** The job of plan index `index`: its data and retries, or the reason it cannot be sent. */
export function jobOf(
  manifest: RunManifest,
  index: number,
): { data: ScriptJobData; retries: number } | { error: string } {
  const at = manifest.templateOf?.[index] ?? -1;
  const script = manifest.scripts[index];
  if (at < 0 || script === null)
    return { error: manifest.errors?.[index] ?? `script ${manifest.paths[index]} is outside the shared root` };
  const { retries, ...rest } = manifest.templates[at];
  return { data: { ...rest, runId: manifest.runId, index, script }, retries };
}
