// Owns where a run's manifest lives in Redis: a job of the runs queue whose data is the
// header and whose log holds the entries, chunk by chunk (BullMQ removes both together).
// Invariant: the header names its chunk count only once every chunk is written, so a
// manifest without one is a run whose coordinator stopped while recording it.
import type { Queue } from 'bullmq';
import type { RunSource } from '../seam/backend-seam.ts';
import type { ManifestBuilder, ManifestEntry, ManifestJob, RunManifest, RunProgress } from './run-manifest.ts';

/**
 * Writes a run's manifest: the header's job first, then its entries chunk by chunk in the
 * job's log, then the header saying how many chunks there are.
 * @param keepMs how long finished manifests are kept (older ones are cleaned now)
 * @returns the manifest's job, whose progress records how far the coordinator got
 */
export async function writeManifest(
  runs: Queue,
  manifest: ManifestBuilder,
  source: RunSource,
  keepMs: number,
): Promise<ManifestJob> {
  // Manifests are never processed: old ones are cleaned here, BullMQ's way.
  await runs.clean(keepMs, 1000, 'wait').catch(() => []);
  const record = await runs.add('run', manifest.header(undefined), { jobId: manifest.runId });
  let chunks = 0;
  for (const chunk of manifest.chunks(source)) {
    await record.log(JSON.stringify(chunk));
    chunks += 1;
  }
  await record.updateData(manifest.header(chunks));
  return record;
}

/** @throws Error when the run's coordinator stopped before its manifest was complete */
export async function readManifest(
  runs: Queue,
  runId: string,
): Promise<{ manifest: RunManifest; entries: ManifestEntry[]; progress: RunProgress | null } | null> {
  const job = await runs.getJob(runId);
  if (!job) return null;
  const manifest = job.data as RunManifest;
  if (typeof manifest?.chunks !== 'number')
    throw new Error(`run ${JSON.stringify(runId)} never started: its coordinator stopped while recording it`);
  const { logs } = await runs.getJobLogs(runId, 0, manifest.chunks - 1);
  const entries = logs.flatMap((line) => JSON.parse(line) as ManifestEntry[]);
  const progress =
    typeof job.progress === 'object' && job.progress !== null ? (job.progress as unknown as RunProgress) : null;
  return { manifest, entries, progress };
}
