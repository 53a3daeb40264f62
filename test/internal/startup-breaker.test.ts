// The one crash-loop breaker (script launchers and function hosts share it): start-up
// failures in a row open it, a start resets the streak, and after the cool-down one more
// attempt is let through.
import { describe, expect, it } from 'vitest';
import { StartupBreaker } from '../../src/internal/startup-breaker.ts';

describe('StartupBreaker', () => {
  it('opens after `limit` start-up failures in a row, and a start resets the streak', () => {
    const breaker = new StartupBreaker({ limit: 3, cooldownMs: 60_000 });
    breaker.recordStartupFailure('exit code 1');
    breaker.recordStartupFailure('exit code 1');
    breaker.recordStarted();
    breaker.recordStartupFailure('exit code 1');
    breaker.recordStartupFailure('exit code 1');
    expect(breaker.isOpen).toBe(false);
    breaker.recordStartupFailure('exit code 2');
    expect(breaker.isOpen).toBe(true);
    expect(breaker.describe('the host')).toBe(
      'the host failed to start 3 times in a row, so no new one is started for now (last: exit code 2)',
    );
  });

  it('after the cool-down allows one attempt, and one more failure reopens it', () => {
    const breaker = new StartupBreaker({ limit: 2, cooldownMs: 0 });
    breaker.recordStartupFailure('a');
    breaker.recordStartupFailure('b');
    expect(breaker.isOpen).toBe(false); // cool-down of 0 ms is already over
    breaker.recordStartupFailure('c');
    expect(breaker.describe('x')).toMatch(/last: c/);
  });
});
