// What a finished BullMQ job gives a coordinator: the record results are made from, or why
// there is none. Plain types, apart from job-waiter.ts, so the public declarations that name
// them never import bullmq (an optional peer a TypeScript consumer may not have).

/** The parts of a finished BullMQ job that results are made from. */
export interface JobRecord {
  returnvalue: unknown;
  failedReason?: string;
  attemptsStarted: number;
  stalledCounter: number;
  processedOn?: number;
  timestamp: number;
  /** the workers (BullMQ's processedBy) it was lost on, as far as the coordinator saw */
  lostOn?: string[];
}

/** A job in a final state; null when the job no longer exists; `lost` when Redis went away. */
export type FinishedJob = { job: JobRecord; state: 'completed' | 'failed' } | { lost: string } | null;

/** A lost attempt whose worker the coordinator did not see. */
export const UNKNOWN_WORKER = 'an unknown worker';
