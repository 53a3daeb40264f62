// Owns runner.stream(): adapts a push-style run (results reported as they finish) to an
// async generator. Leaving the for-await loop early aborts the run and waits until its
// children are reaped, so a consumer that breaks never leaves a child behind.
import type { ScriptResult } from '../script/types.ts';

type StartRun = (onResult: (result: ScriptResult) => void, stop: AbortSignal) => Promise<unknown>;

export async function* streamRun(start: StartRun): AsyncGenerator<ScriptResult, void, undefined> {
  const stop = new AbortController();
  const buffer: ScriptResult[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  let failure: { error: unknown } | null = null;
  const run = start((result) => {
    buffer.push(result);
    wake?.();
  }, stop.signal).then(
    () => undefined,
    (error: unknown) => {
      failure = { error };
    },
  ).finally(() => {
    done = true;
    wake?.();
  });
  try {
    for (;;) {
      if (buffer.length > 0) {
        yield buffer.shift()!;
        continue;
      }
      if (done) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
    if (failure) throw (failure as { error: unknown }).error;
  } finally {
    stop.abort(new Error('stream consumer stopped'));
    await run;
  }
}
