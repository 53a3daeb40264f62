// Owns runner.stream(): adapts a push-style run (results reported as they finish) to an
// async generator with backpressure. Invariant: at most `capacity` scripts are started and
// not yet taken by the consumer (running or buffered), so a consumer that stops reading stops
// new starts; results are handed over and forgotten. Leaving the for-await loop early aborts
// the run and waits until its children are reaped, so a consumer that breaks leaves no child.
import type { ScriptResult } from '../script/types.ts';
import type { ScriptRef } from '../seam/planned-script.ts';

/** Where a run delivers its results, and (optionally) its admission gate. */
export interface RunSink {
  onResult(ref: ScriptRef, result: ScriptResult): void;
  /** true: the script starts now (see RunPlanOptions.admit) */
  admit?(ref: ScriptRef, active: number, concurrency: number): boolean;
  /** Receives the run's wake(), for a gate that refused to say it may now admit. */
  attach?(wake: () => void): void;
}

type StartRun = (sink: RunSink, stop: AbortSignal) => Promise<unknown>;

export async function* streamRun(start: StartRun, capacity: number): AsyncGenerator<ScriptResult, void, undefined> {
  const stop = new AbortController();
  const buffer: Array<{ ref: ScriptRef; result: ScriptResult }> = [];
  const admitted = new Set<number>(); // plan indices started and not yet taken by the consumer
  let wakeRun = (): void => undefined;
  let wakeConsumer = (): void => undefined;
  let done = false;
  let failure: { error: unknown } | null = null;
  const sink: RunSink = {
    onResult: (ref, result) => {
      buffer.push({ ref, result });
      wakeConsumer();
    },
    // A remote run's window (concurrency) may exceed the local capacity: never below it.
    admit: (ref, _active, concurrency) => {
      if (admitted.size >= Math.max(capacity, concurrency)) return false;
      admitted.add(ref.index);
      return true;
    },
    attach: (wake) => (wakeRun = wake),
  };
  const run = start(sink, stop.signal)
    .then(
      () => undefined,
      (error: unknown) => {
        failure = { error };
      },
    )
    .finally(() => {
      done = true;
      wakeConsumer();
    });
  try {
    for (;;) {
      const entry = buffer.shift();
      if (entry !== undefined) {
        // (results of scripts that never started, e.g. of a broken pool, were never admitted)
        if (admitted.delete(entry.ref.index)) wakeRun();
        yield entry.result;
        continue;
      }
      if (done) break;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
      wakeConsumer = () => undefined;
    }
    if (failure) throw (failure as { error: unknown }).error;
  } finally {
    stop.abort(new Error('stream consumer stopped'));
    await run;
  }
}
