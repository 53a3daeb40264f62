// Issue 16.6: a script that passes only on a retry is counted and shown as flaky (summary,
// JSON) and written to JUnit as <flakyFailure> with the failed attempt's output; a script that
// fails every attempt keeps its earlier attempts as <rerunFailure>.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, makeTempDir } from '../parallel/helpers.ts';
import { parseJunit, runCli, writeTree } from './run-cli.ts';

// Fails on its first run (leaving a mark), passes on the next.
const FLAKY = [
  'import os, sys',
  'mark = os.path.join(os.environ["MARKS"], "tried")',
  'if not os.path.exists(mark):',
  '    open(mark, "w").close()',
  '    print("attempt one output")',
  '    print("Traceback: connection reset", file=sys.stderr)',
  '    sys.exit(3)',
  'print("fine now")',
].join('\n');

describe('flaky scripts', () => {
  it('are counted and shown in the summary, JSON and JUnit, with the failed attempt kept', async () => {
    const dir = makeTempDir();
    writeTree(dir, {
      'net/flaky.py': FLAKY,
      'steady.py': 'print("ok")\n',
      'broken.py': 'import sys\nprint("always", file=sys.stderr)\nsys.exit(1)\n',
    });
    const json = path.join(dir, 'r.json');
    const junit = path.join(dir, 'j.xml');
    const { code, stdout } = await runCli(
      ['run', '.', '--python', PYTHON, '--retries', '1', '--json', json, '--junit', junit],
      { MARKS: makeTempDir() },
      dir,
    );
    expect(code).toBe(1); // broken.py
    expect(stdout).toMatch(/^PASS +net\/flaky\.py .*\(attempt 2\) flaky/m);
    expect(stdout).toMatch(
      /Flaky \(passed only on a retry\):\n {2}net\/flaky\.py {2}passed on attempt 2, first: exited with code 3/,
    );
    expect(stdout).toContain('3 scripts: 2 passed (1 flaky), 1 failed');

    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      flaky: number;
      passed: number;
      results: Array<{
        name: string;
        flaky: boolean;
        attempts: number;
        failedAttempts?: Array<{ status: string; exitCode: number; stdout: string; stderr: string }>;
      }>;
    };
    expect(report).toMatchObject({ flaky: 1, passed: 2 });
    const byName = Object.fromEntries(report.results.map((r) => [r.name, r]));
    expect(byName['flaky.py']).toMatchObject({ flaky: true, attempts: 2 });
    expect(byName['flaky.py'].failedAttempts).toEqual([
      expect.objectContaining({
        status: 'failed',
        exitCode: 3,
        stdout: 'attempt one output\n',
        stderr: 'Traceback: connection reset\n',
      }),
    ]);
    expect(byName['steady.py']).toMatchObject({ flaky: false, attempts: 1 });
    expect(byName['broken.py']).toMatchObject({ flaky: false, attempts: 2 });
    expect(byName['broken.py'].failedAttempts).toHaveLength(1);

    const { cases } = parseJunit(readFileSync(junit, 'utf8'));
    const flakyCase = cases.find((c) => c['@_file'] === 'net/flaky.py')!;
    expect(flakyCase.failure).toBeUndefined();
    expect(flakyCase.flakyFailure).toHaveLength(1);
    expect(flakyCase.flakyFailure![0]).toMatchObject({
      '@_message': 'exited with code 3 (expected 0)',
      'system-out': 'attempt one output',
      'system-err': 'Traceback: connection reset',
      stackTrace: 'Traceback: connection reset',
    });
    expect(flakyCase['system-out']).toBe('fine now');
    const brokenCase = cases.find((c) => c['@_file'] === 'broken.py')!;
    expect(brokenCase.failure).toBeDefined();
    expect(brokenCase.rerunFailure).toHaveLength(1);
  });
});
