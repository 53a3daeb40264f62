// Supervisor thread entry (piscina): each task supervises one Python child from spawn to
// reaped exit. Spawning from a worker thread keeps fork/exec cost off the main event loop,
// and the child's PR_SET_PDEATHSIG is tied to this thread, so a terminated supervisor's
// child dies with it.
import { superviseScript } from '../src/script/supervise-script.ts';
import type { SupervisorEvent, SupervisorTask } from '../src/script/supervisor-protocol.ts';
import type { ScriptResult } from '../src/script/types.ts';

export default async function supervise({ spec, port }: SupervisorTask): Promise<ScriptResult> {
  try {
    return await superviseScript(spec, port);
  } finally {
    port.postMessage({ type: 'done' } satisfies SupervisorEvent);
    port.close();
  }
}
