// Issue 16.5: --maxfail N, --halt now|soon,fail=N|P%, --fail-fast. Synchronised on the CLI's
// own output: the test lets a running script finish only after it has seen the failure line,
// which the CLI prints in the same step that applies the stopping rule.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, isGoneSoon, makeTempDir, waitFor } from '../parallel/helpers.ts';
import { finish, runCli, startCli, writeTree } from './run-cli.ts';

const PASS = 'pass\n';
const FAIL = 'raise SystemExit(1)\n';
// Announces its pid, then waits for the test's "go" file (or forever).
const WAIT_FOR_GO = [
  'import os, sys, time',
  'open(os.path.join(os.environ["MARKS"], "waiter.pid"), "w").write(str(os.getpid()))',
  'while not os.path.exists(os.path.join(os.environ["MARKS"], "go")): time.sleep(0.01)',
].join('\n');
// Fails once the waiter is running.
const FAIL_AFTER_WAITER = [
  'import os, sys, time',
  'while not os.path.exists(os.path.join(os.environ["MARKS"], "waiter.pid")): time.sleep(0.01)',
  'sys.exit(1)',
].join('\n');

interface Report {
  results: Array<{ name: string; status: string; error: string | null; pid: number }>;
  notStarted: string[];
  halted: string | null;
  skipped: number;
}
const readReport = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Report;

/** With `release`, the waiter may finish once the failure line is out; else it waits forever. */
async function runUntilFailureSeen(flags: string[], release: boolean) {
  const dir = makeTempDir();
  const marks = makeTempDir();
  writeTree(dir, { 'a_wait.py': WAIT_FOR_GO, 'b_fail.py': FAIL_AFTER_WAITER, 'c.py': PASS, 'd.py': PASS });
  const json = path.join(dir, 'r.json');
  const child = startCli(['run', '.', '--python', PYTHON, '-j', '2', '--json', json, ...flags], { MARKS: marks }, dir);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const done = finish(child);
  await waitFor(() => /^FAIL +b_fail\.py/m.test(out), 'the failure line');
  const waiterPid = Number(readFileSync(path.join(marks, 'waiter.pid'), 'utf8'));
  if (release) writeFileSync(path.join(marks, 'go'), '');
  return { run: await done, report: readReport(json), waiterPid, marks };
}

describe('--halt soon', () => {
  it('lets the running script finish and starts nothing more', async () => {
    const { run, report } = await runUntilFailureSeen(['--halt', 'soon,fail=1'], true);
    expect(run.code).toBe(1);
    // in the order they finished: the failure first, then the script it let finish
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['b_fail.py', 'failed'],
      ['a_wait.py', 'passed'],
    ]);
    expect(report.notStarted.map((s) => path.basename(s))).toEqual(['c.py', 'd.py']);
    expect(report.halted).toMatch(/halted after 1 of 1 finished scripts failed \(--halt soon,fail=1\)/);
    expect(run.stdout).toContain('Stopped early: halted after 1 of 1 finished scripts failed');
    expect(run.stdout).toContain('4 scripts: 1 passed, 1 failed, 0 timed out, 2 skipped');
  });
});

describe('--halt now and --maxfail', () => {
  it.each([[['--halt', 'now,fail=1']], [['--maxfail', '1']], [['--fail-fast']]])(
    '%j kills the running script and starts nothing more',
    async (flags) => {
      const { run, report, waiterPid } = await runUntilFailureSeen(flags, false);
      expect(run.code).toBe(1);
      const waiter = report.results.find((r) => r.name === 'a_wait.py')!;
      expect(waiter.status).toBe('cancelled');
      expect(waiter.error).toMatch(/halted after 1 of 1 finished scripts failed/);
      expect(await isGoneSoon(waiterPid)).toBe(true);
      expect(report.notStarted.map((s) => path.basename(s))).toEqual(['c.py', 'd.py']);
    },
  );

  it('--maxfail 2 stops after the second failure, not the first', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'a.py': FAIL, 'b.py': PASS, 'c.py': FAIL, 'd.py': PASS, 'e.py': FAIL });
    const json = path.join(dir, 'r.json');
    const { code } = await runCli(
      ['run', '.', '--python', PYTHON, '-j', '1', '--maxfail', '2', '--json', json],
      {},
      dir,
    );
    expect(code).toBe(1);
    const report = readReport(json);
    expect(report.results.map((r) => r.name)).toEqual(['a.py', 'b.py', 'c.py']);
    expect(report.notStarted.map((s) => path.basename(s))).toEqual(['d.py', 'e.py']);
  });
});

describe('--halt with a percentage of the finished scripts', () => {
  it.each([
    ['soon,fail=50%', ['p1.py', 'p2_fail.py'], true],
    ['soon,fail=60%', ['p1.py', 'p2_fail.py', 'p3.py', 'p4_fail.py'], false],
  ])('%s', async (rule, ran, halted) => {
    const dir = makeTempDir();
    writeTree(dir, { 'p1.py': PASS, 'p2_fail.py': FAIL, 'p3.py': PASS, 'p4_fail.py': FAIL });
    const json = path.join(dir, 'r.json');
    await runCli(['run', '.', '--python', PYTHON, '-j', '1', '--halt', rule, '--json', json], {}, dir);
    const report = readReport(json);
    expect(report.results.map((r) => r.name)).toEqual(ran);
    expect(report.halted !== null).toBe(halted);
  });

  it.each([['sometimes'], ['now,fail=0'], ['soon,fail=150%'], ['now,success=1']])(
    'refuses --halt %s naming the forms',
    async (rule) => {
      const { code, stderr } = await runCli(['run', '.', '--halt', rule]);
      expect(code).toBe(2);
      expect(stderr).toMatch(/--halt: expected now\|soon,fail=N/);
    },
  );

  it('refuses two stopping rules at once', async () => {
    const { code, stderr } = await runCli(['run', '.', '--fail-fast', '--maxfail', '3']);
    expect(code).toBe(2);
    expect(stderr).toContain('--fail-fast and --maxfail both set a stopping rule');
  });
});
