// The scheduler's clock: one performance.now() read per event (scheduled, a dispatch, a
// settle) serves both the monotonic figures (durations, queue waits) and the wall-clock
// stamps of a job record, through the offset between the two clocks. Invariant: a stamp is
// never later than Date.now() at that read and at most 1 ms earlier (Date.now() is floored,
// so each measured offset is a lower bound; the largest one is kept), and a stepped wall
// clock is followed within a second.

/** Job stamps are ms since this: small integers for ~24 days. */
export const EPOCH = Date.now();
/** Wall-clock ms >= performance.now() + offset, by less than 1 ms. */
let offset = EPOCH - performance.now();
let checkedAt = performance.now();

/** `now` (a performance.now() reading) as wall-clock ms since EPOCH. */
export function stampAt(now: number): number {
  if (now - checkedAt > 1000) recheck(now);
  const ms = Math.floor(now + offset) - EPOCH;
  // A small integer while it fits one, so storing it allocates nothing.
  return ms < 0x7fffffff ? ms | 0 : ms;
}

/** A stamp as its own Date. */
export function dateOf(stamp: number): Date {
  return new Date(EPOCH + stamp);
}

function recheck(now: number): void {
  checkedAt = now;
  const measured = Date.now() - now;
  // Higher: a tighter lower bound (or the wall clock stepped forward). Lower by more than
  // the flooring explains: the wall clock stepped back.
  if (measured > offset || measured < offset - 1) offset = measured;
}
