// Owns the pool seam: the part of a pool a run needs to run one script. SupervisorPool
// (src/script/) is the local pool; a backend's run (src/distributed/remote-run.ts) is the
// remote one. The runner sees only this interface, so it never knows which it runs over.
import type { ErgateLogger } from '../internal/logger.ts';
import type { StartedChild } from '../resources/run-resources.ts';
import type { ResultAdds } from '../script/script-result.ts';
import type { ScriptResult, ScriptSpec } from '../script/types.ts';

/** The part of SupervisorPool a run needs. */
export interface ScriptPool {
  run(
    spec: ScriptSpec,
    options?: {
      signal?: AbortSignal;
      retries?: number;
      /** the script's plan index (a remote pool names its job by it) */
      index?: number;
      onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
      onStart?: (child: StartedChild) => void;
      logger?: ErgateLogger;
      /** what the caller adds to the result, asked for when it is built (a local pool's; a remote pool's results are its workers') */
      adds?: (startedAt: number) => ResultAdds;
    },
  ): Promise<ScriptResult>;
  /** The pool runs a script's retries itself (BullMQ attempts) and sets result.attempts. */
  readonly handlesRetries?: boolean;
}
