// Calls run with `isolate: 'fresh'`: each gets a new function-host thread of its own, ended
// once the call settles, so no module state or globalThis survives from another call. At
// most threadCount() such threads run at once (apart from the shared pool); close ends all.
import { CallSlots } from './call-slots.ts';
import type { CallStop } from './call-stop.ts';
import { FunctionThread, type ThreadCall, type ThreadReply } from './function-thread.ts';
import { endingOfReply, threadCount } from './thread-pool.ts';
import type { CallEnding, CallRequest } from './types.ts';

interface FreshThreads {
  slots: CallSlots;
  threads: Set<FunctionThread>;
  closed: boolean;
}

let current: FreshThreads | null = null;

/** Runs one call on a thread started for it alone; the thread is ended when the call settles. */
export async function runOnFreshThread(request: CallRequest, stop: CallStop): Promise<CallEnding> {
  const fresh = (current ??= { slots: new CallSlots(threadCount()), threads: new Set(), closed: false });
  const acquired = fresh.slots.acquire(stop.signal);
  if (!(acquired === true || (await acquired))) return stop.stopped ? { kind: 'aborted' } : { kind: 'closed' };
  try {
    return await new Promise<CallEnding>((resolve) => {
      const call: ThreadCall = {
        id: 1,
        request,
        callStop: stop,
        settle: (reply: ThreadReply) => {
          stop.onStop(null);
          thread.terminate('its one call settled');
          resolve(endingOfReply(reply, fresh));
        },
      };
      const thread = new FunctionThread({
        onReady: () => undefined,
        onFree: () => undefined,
        // Died while starting: the call never ran.
        onGone: (gone, unstarted, _startedOk, reason) => {
          fresh.threads.delete(gone);
          for (const lost of unstarted) lost.settle({ died: reason });
        },
      });
      fresh.threads.add(thread);
      stop.onStop({ onStopped: () => thread.stop(call) });
      thread.send([call]);
    });
  } finally {
    fresh.slots.release();
  }
}

/** Ends every fresh thread; their calls end as 'closed'. */
export async function closeFreshThreads(): Promise<void> {
  const fresh = current;
  if (fresh === null) return;
  current = null;
  fresh.closed = true;
  fresh.slots.rejectWaiters();
  const threads = [...fresh.threads];
  for (const thread of threads) thread.terminate('the function pool was closed');
  await Promise.all(threads.map((thread) => thread.exited));
}
