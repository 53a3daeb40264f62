// The shared timeout clock of calls (call-clock.ts, through CallStop): one Node timer per
// timeout length however many calls run, expiry in start order and never early, and no
// timer holding the process once every clock is stopped.
import { describe, expect, it } from 'vitest';
import { CallStop } from '../../src/function/call-stop.ts';

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

/** A stop that records when it expired. */
class TimedStop extends CallStop {
  startedAt = 0;
  expiredAt = Number.NaN;
  readonly expired: Promise<void>;
  #done!: () => void;

  constructor(timeoutMs: number) {
    super(timeoutMs);
    this.expired = new Promise<void>((resolve) => (this.#done = resolve));
  }

  override startClock(): void {
    this.startedAt = performance.now();
    super.startClock();
  }

  override expire(): void {
    this.expiredAt = performance.now();
    super.expire();
    this.#done();
  }
}

describe('the call clock', () => {
  it('arms one timer for many calls of the same length, and none holds the process once all are stopped', () => {
    const before = activeTimers();
    const stops = Array.from({ length: 50 }, () => new CallStop(60_000));
    for (const stop of stops) stop.startClock();
    expect(activeTimers()).toBe(before + 1);
    const other = new CallStop(90_000);
    other.startClock();
    expect(activeTimers()).toBe(before + 2);
    for (const stop of [...stops, other]) stop.clearClock();
    expect(activeTimers()).toBe(before);
    expect(stops.every((stop) => stop.reason === null)).toBe(true);
  });

  it('expires calls in start order, none before its timeout, and skips a stopped one', async () => {
    const [first, stopped, restarted, last] = [40, 40, 40, 40].map((ms) => new TimedStop(ms));
    for (const stop of [first, stopped, restarted, last]) stop.startClock();
    stopped.clearClock();
    // Restarting moves a clock to the back: it now expires after `last`.
    restarted.startClock();
    await Promise.all([first.expired, last.expired, restarted.expired]);
    for (const stop of [first, last, restarted]) {
      expect(stop.reason).toBe('timeout');
      expect(stop.stopped).toBe(true);
      expect(stop.expiredAt - stop.startedAt).toBeGreaterThanOrEqual(40);
    }
    expect(first.expiredAt).toBeLessThanOrEqual(last.expiredAt);
    expect(last.expiredAt).toBeLessThanOrEqual(restarted.expiredAt);
    expect(stopped.reason).toBeNull();
    expect(Number.isNaN(stopped.expiredAt)).toBe(true);
  });

  it('keeps the first reason: a cancelled call stays cancelled when its clock runs out', async () => {
    const stop = new TimedStop(20);
    stop.startClock();
    stop.cancel('caller gave up');
    await stop.expired;
    expect(stop.reason).toBe('cancelled');
    expect(stop.cancelReason).toBe('caller gave up');
  });
});
