// What an `ergate worker` takes from and returns to BullMQ for one job, as plain types.
// Invariant: no bullmq import here, so the public declarations that name these types never
// make a TypeScript consumer install bullmq (an optional peer).
import type { FunctionResult } from '../function/types.ts';
import type { FunctionJobData } from '../seam/function-job-data.ts';
import type { ScriptResult } from '../script/types.ts';
import type { ScriptJobData } from './job-payload.ts';

/** A worker's result also says which worker ran it. */
export type RemoteScriptResult = ScriptResult & { worker?: string };
export type JobData = ScriptJobData | FunctionJobData;
export type JobResult =
  RemoteScriptResult | (FunctionResult<unknown> & { worker?: string; attempts?: number; lostOn?: string[] });
