// The pool's one breaker counts launcher start-up failures only (src/internal/startup-breaker.ts,
// shared with the function hosts): a script that fails, or an option refused as a TypeError,
// never counts; after 5 failed starts in a row the pool starts no launcher for a cool-down and
// says why; after it, a launcher that starts again runs scripts again.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import type { ScriptSpec } from '../../src/script/types.ts';
import { fixture } from './helpers.ts';

function spec(python: string, okMark: string, script = 'hello.py'): ScriptSpec {
  return {
    script: fixture(script),
    python,
    args: [],
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ERGATE_FAKE_PYTHON_OK: okMark },
    timeoutMs: 30_000,
    allowedExitCodes: [0],
    memoryLimitMb: null,
    cpuTimeLimitS: null,
    maxOutputBytes: 1 << 20,
    killGraceMs: 500,
    startMethod: 'spawn',
    preload: [],
    liveOutput: false,
  };
}

describe('launcher start-up breaker', () => {
  const pool = new SupervisorPool({ size: 1, startupCooldownMs: 1_500 });
  afterAll(() => pool.close());

  it('opens after 5 failed starts, says why, and retries after the cool-down', async () => {
    const okMark = path.join(mkdtempSync(path.join(os.tmpdir(), 'ergate-breaker-')), 'ok');
    const fake = fixture('not-a-python.sh');
    // A script's own failure is a result, never a start-up failure.
    for (let i = 0; i < 6; i++)
      expect((await pool.run(spec('/usr/bin/python3', okMark, 'raise_error.py'))).status).toBe('failed');
    for (let i = 0; i < 5; i++) {
      const failed = await pool.run(spec(fake, okMark));
      expect(failed.status).toBe('error');
      expect(failed.error).toMatch(
        /^could not start the script launcher with \S+not-a-python\.sh: it exited \(exit code 3\) not a python/,
      );
    }
    const refused = await pool.run(spec(fake, okMark));
    expect(refused.status).toBe('error');
    expect(refused.error).toMatch(
      /^script launchers failed to start 5 times in a row, so no new one is started for now \(last: could not start/,
    );
    // The interpreter works again; the breaker still holds until its cool-down has passed.
    writeFileSync(okMark, '');
    expect(existsSync(okMark)).toBe(true);
    const started = Date.now();
    let result = await pool.run(spec(fake, okMark));
    while (result.status === 'error' && Date.now() - started < 10_000) {
      expect(result.error).toMatch(/^script launchers failed to start 5 times in a row/);
      await new Promise((resolve) => setTimeout(resolve, 100)); // polling the cool-down, not synchronising
      result = await pool.run(spec(fake, okMark));
    }
    expect(result.status).toBe('passed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });
});
