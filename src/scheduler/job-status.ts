// The public shape of a scheduled job (docs/API.md, "Scheduler"). The objects that
// getJob() and runAll() hand out are JobEntry instances (job-entry.ts), updated in place.

export const AsyncJobStatus = {
  PENDING: 'pending',
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
} as const;

export type AsyncJobStatus = (typeof AsyncJobStatus)[keyof typeof AsyncJobStatus];

export const JOB_STATUSES: readonly AsyncJobStatus[] = Object.values(AsyncJobStatus);

export interface AsyncJob {
  id: string;
  name: string;
  /** As scheduled; with agingMs the queue uses an improving effective priority. */
  priority: number;
  status: AsyncJobStatus;
  /** The value of the successful run; for scheduleScript, the ScriptResult of the last run. */
  result: unknown;
  /** Plain-language reason of the last failure, or of the cancellation. */
  error: string | null;
  /** Each job's Dates are its own. */
  scheduledAt: Date;
  /** When the first run started. */
  startedAt: Date | null;
  completedAt: Date | null;
  maxRuns: number;
  runs: number;
}
