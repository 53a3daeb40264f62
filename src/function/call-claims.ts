// The claim word of each call a thread holds, shared (SharedArrayBuffer) between the pool
// and the host thread. Whoever moves a call's word off QUEUED first owns it: the host by
// starting it (RUNNING), the pool by cancelling or stealing it (WITHDRAWN). So a queued
// call is taken back without a round trip to a host that may be busy, and it never runs twice.

export const QUEUED = 1;
export const RUNNING = 2;
export const WITHDRAWN = 3;

/** Slots per thread: more than the calls a thread can hold (PIPELINE_DEPTH, ghosts included). */
export const CLAIM_SLOTS = 32;

export function createClaims(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CLAIM_SLOTS * Int32Array.BYTES_PER_ELEMENT));
}

/** The host's side: true if the call is its to run. */
export function claimToRun(claims: Int32Array, slot: number): boolean {
  return Atomics.compareExchange(claims, slot, QUEUED, RUNNING) === QUEUED;
}

/** The pool's side: true if the call is withdrawn before the host started it. */
export function withdraw(claims: Int32Array, slot: number): boolean {
  return Atomics.compareExchange(claims, slot, QUEUED, WITHDRAWN) === QUEUED;
}
