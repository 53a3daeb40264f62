// Late errors: what a function raises after its call has settled (a throw from a timer, a
// rejection nobody handled). Inside a host each call runs in an AsyncLocalStorage context
// naming it, so an error is pinned on the call whose code raised it, never on the call that
// happens to be running when it surfaces. The host then retires (takes no further call); the
// caller logs the error under the call that raised it (`recentCalls` remembers who that was).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ErgateLogger } from '../internal/logger.ts';
import { describeThrow } from './execute-call.ts';

/** A late error as a host reports it; callId null when no call's code raised it. */
export interface LateError {
  callId: number | null;
  message: string;
  errorType: string | null;
  stack: string | null;
}

const currentCall = new AsyncLocalStorage<number>();

/** Runs a call's code in the context that names it (timers and promises it creates inherit it). */
export function runAsCall<T>(callId: number, run: () => T): T {
  return currentCall.run(callId, run);
}

/**
 * Host side: `onError` gets every error no call caught, with the call whose code raised it.
 * Installing the handlers also keeps the host alive (an uncaught error would end it, and
 * with it the innocent call then running).
 */
export function trapLateErrors(onError: (error: LateError) => void): void {
  const trap = (thrown: unknown): void => {
    const outcome = describeThrow(thrown);
    if (outcome.kind !== 'threw') return;
    onError({
      callId: currentCall.getStore() ?? null,
      message: outcome.message,
      errorType: outcome.errorType,
      stack: outcome.stack,
    });
  };
  process.on('uncaughtException', trap);
  process.on('unhandledRejection', trap);
}

/** Who made a call, for the late-error log: its result name and its logger. */
export interface CallOwner {
  name: string;
  logger: ErgateLogger;
}

/** Calls remembered per host: a late error from an older call is logged without its logger. */
const REMEMBERED_CALLS = 4_096;

/**
 * The owners of the last calls a host ran (bounded), by call id. A ring indexed by the id (ids
 * count up), so remembering a call allocates nothing: a host sees tens of thousands a second.
 */
export class RecentCalls {
  readonly #ids: number[] = new Array<number>(REMEMBERED_CALLS).fill(-1);
  readonly #owners: (CallOwner | undefined)[] = new Array<CallOwner | undefined>(REMEMBERED_CALLS).fill(undefined);

  remember(callId: number, owner: CallOwner | undefined): void {
    const slot = callId % REMEMBERED_CALLS;
    this.#ids[slot] = callId;
    this.#owners[slot] = owner;
  }

  #ownerOf(callId: number): CallOwner | undefined {
    const slot = callId % REMEMBERED_CALLS;
    return this.#ids[slot] === callId ? this.#owners[slot] : undefined;
  }

  /** Logs a late error under the call that raised it; the host that ran it is being retired. */
  logLate(late: LateError, host: 'thread' | 'process', fallback: ErgateLogger): void {
    const owner = late.callId === null ? undefined : this.#ownerOf(late.callId);
    const name = owner?.name ?? (late.callId === null ? 'unknown' : `call #${late.callId}`);
    const entry = {
      event: 'function.late-error',
      name,
      error: late.message,
      errorType: late.errorType,
      stack: late.stack,
    };
    try {
      (owner?.logger ?? fallback).error(
        entry,
        `function '${name}' raised an error after its call ended (${late.message}); its ${host} was retired`,
      );
    } catch {
      // ignored on purpose: logging must never change an outcome
    }
  }
}
