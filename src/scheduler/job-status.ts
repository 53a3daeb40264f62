// The public shape of a scheduled job (docs/API.md, "Scheduler"), and how a status is
// stored in the job columns (job-store.ts): as its index in STATUS_NAMES. The objects that
// getJob() and runAll() hand out are JobView instances (job-view.ts), live views.

export const AsyncJobStatus = {
  PENDING: 'pending',
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
} as const;

export type AsyncJobStatus = (typeof AsyncJobStatus)[keyof typeof AsyncJobStatus];

export const JOB_STATUSES: readonly AsyncJobStatus[] = Object.values(AsyncJobStatus);

/** A status as stored: its index in STATUS_NAMES. */
export const PENDING = 0;
export const RUNNING = 1;
export const COMPLETED = 2;
export const FAILED = 3;
export const CANCELLED = 4;
export const STATUS_NAMES: readonly AsyncJobStatus[] = [
  AsyncJobStatus.PENDING,
  AsyncJobStatus.RUNNING,
  AsyncJobStatus.COMPLETED,
  AsyncJobStatus.FAILED,
  AsyncJobStatus.CANCELLED,
];

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
