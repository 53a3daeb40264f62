// A pool far wider than the open-file limit allows runs every script (more launchers, then a
// narrower width said once) instead of failing them with EMFILE.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fitToOpenFiles } from '../../src/script/launcher/fd-budget.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('fitting a pool to RLIMIT_NOFILE', () => {
  it('spreads a wide pool over more launchers, and narrows it only past what Node can hold', () => {
    expect(fitToOpenFiles(999, 2, 20_000)).toEqual({ size: 999, launchers: 2, perLauncher: 500 });
    expect(fitToOpenFiles(200, 2, 128)).toEqual({ size: 200, launchers: 5, perLauncher: 40 });
    expect(fitToOpenFiles(999, 2, 128)).toEqual({ size: 768, launchers: 16, perLauncher: 48 });
    expect(fitToOpenFiles(4, 2, Infinity)).toEqual({ size: 4, launchers: 2, perLauncher: 2 });
  });

  it('runs 100 scripts at once on a pool 999 wide under `ulimit -n 128`, and says so once', async () => {
    const driver = spawn('bash', ['-c', 'ulimit -n 128 && exec node --import tsx test/fixtures/drive-wide-pool.mts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    driver.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    driver.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise((resolve) => driver.once('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ counts: { passed: 100 }, error: null, size: 768 });
    expect(stderr.match(/ErgateWarning: running 768 scripts at once, not 999/g)).toHaveLength(1);
  }, 120_000);
});
