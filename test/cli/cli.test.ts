// The ergate CLI end to end, as a real process: exit codes, reports (JSON, JUnit, joblog),
// --resume-failed, bad usage, and SIGINT mid-run (no child left, partial reports written).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, isGoneSoon, makeTempDir, waitForPids } from '../parallel/helpers.ts';
import { finish, ROOT as root, runCli, startCli } from './run-cli.ts';

const JOBLOG_COLUMNS = ['Seq', 'Host', 'Starttime', 'JobRuntime', 'Send', 'Receive', 'Exitval', 'Signal', 'Command'];

const fixtures = path.join(root, 'test', 'cli', 'fixtures');
const mixed = path.join(fixtures, 'mixed');

interface JsonReport {
  results: Array<{ name: string; status: string; pid: number; [field: string]: unknown }>;
  [field: string]: unknown;
}
const readReport = (file: string): JsonReport => JSON.parse(readFileSync(file, 'utf8')) as JsonReport;

describe('ergate run', () => {
  it('exits 1 when a script fails, printing one line per script and the failure tail', async () => {
    const dir = makeTempDir();
    const json = path.join(dir, 'report.json');
    const junit = path.join(dir, 'junit.xml');
    const joblog = path.join(dir, 'jobs.tsv');
    const args = ['run', 'mixed', '--python', PYTHON, '-j', '2', '--json', json, '--junit', junit, '--joblog', joblog];
    const { code, stdout } = await runCli(args, {}, fixtures);
    expect(code).toBe(1);
    expect(stdout).toMatch(/PASS\s+mixed\/a_pass\.py/);
    expect(stdout).toMatch(/FAIL\s+mixed\/b_fail\.py/);
    expect(stdout).toContain('boom: something went wrong');
    expect(stdout).toContain('3 scripts: 2 passed, 1 failed, 0 timed out, 0 skipped');

    const report = readReport(json);
    expect(report).toMatchObject({
      total: 3,
      passed: 2,
      failed: 1,
      timeout: 0,
      skipped: 0,
      success: false,
      interrupted: false,
    });
    // in the order they finished
    expect(report.results.map((r) => r.name).sort()).toEqual(['a_pass.py', 'b_fail.py', 'c_pass.py']);

    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="ergate run" tests="3" failures="1" errors="0" skipped="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toMatch(
      /<testcase name="b_fail.py" classname="mixed" file="mixed\/b_fail.py" time="\d+\.\d{3}">\s*<failure message="[^"]*code 3[^"]*" type="failed">/,
    );
    expect(xml).toContain('boom: something went wrong');

    const lines = readFileSync(joblog, 'utf8').trim().split('\n');
    // GNU parallel's --joblog layout, so its tools and users' plot scripts read it.
    expect(lines[0].split('\t')).toEqual(JOBLOG_COLUMNS);
    const rows = lines.slice(1).map((l) => l.split('\t'));
    expect(rows.map((f) => `${path.basename(f[8])} ${f[6]} ${f[7]}`).sort()).toEqual([
      'a_pass.py 0 0',
      'b_fail.py 3 0',
      'c_pass.py 0 0',
    ]);
    expect(rows.map((f) => f[0]).sort()).toEqual(['1', '2', '3']);
    for (const f of rows) {
      expect(f[1]).toBe(':');
      expect(Math.abs(Number(f[2]) * 1000 - Date.now())).toBeLessThan(600_000); // epoch seconds
      expect(f[3]).toMatch(/^ *\d+\.\d{3}$/);
    }
  });

  it('exits 0 when every script passes; a glob selects files', async () => {
    const { code, stdout } = await runCli([
      'run',
      `${path.relative(root, mixed)}/*_pass.py`,
      '--python',
      PYTHON,
      '--quiet',
    ]);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/PASS/); // --quiet: only the summary
    expect(stdout).toContain('2 scripts: 2 passed');
  });

  it('--resume-failed re-runs exactly the scripts that did not pass in the joblog', async () => {
    const dir = makeTempDir();
    const joblog = path.join(dir, 'jobs.tsv');
    const first = await runCli(['run', mixed, '--python', PYTHON, '--joblog', joblog]);
    expect(first.code).toBe(1);
    const json = path.join(dir, 'resumed.json');
    const second = await runCli([
      'run',
      mixed,
      '--python',
      PYTHON,
      '--joblog',
      joblog,
      '--resume-failed',
      '--json',
      json,
    ]);
    expect(second.code).toBe(1);
    const report = readReport(json);
    expect(report.results.map((r) => r.name)).toEqual(['b_fail.py']);
    // Appended, not overwritten: one header, three lines from the first run, one from the second.
    const lines = readFileSync(joblog, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.startsWith('Seq\t'))).toHaveLength(1);
    expect(lines).toHaveLength(5);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s mid-run kills every child, writes the partial reports (never a success) and exits %d',
    async (signal, exitCode) => {
      const dir = makeTempDir();
      const pidDir = makeTempDir();
      const json = path.join(dir, 'report.json');
      const junit = path.join(dir, 'junit.xml');
      const joblog = path.join(dir, 'jobs.tsv');
      const args = ['run', path.join(fixtures, 'hang'), mixed, '--python', PYTHON, '-j', '2'];
      const child = startCli([...args, '--json', json, '--junit', junit, '--joblog', joblog], { PID_DIR: pidDir });
      const done = finish(child);
      const pids = await waitForPids(pidDir, 2);
      child.kill(signal);
      const { code, stdout } = await done;
      expect(code).toBe(exitCode);
      expect(stdout).toContain('Interrupted');
      for (const pid of pids) expect(await isGoneSoon(pid)).toBe(true);
      const report = readReport(json);
      // nothing failed, but an interrupted run is not a success
      expect(report).toMatchObject({ total: 6, skipped: 6, failed: 0, timeout: 0, interrupted: true, success: false });
      expect(report.results.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
      expect(readFileSync(junit, 'utf8')).toMatch(/tests="6" failures="0" errors="0" skipped="6"/);
      expect(readFileSync(joblog, 'utf8').trim().split('\n')).toHaveLength(3);
      expect(readdirSync(pidDir)).toHaveLength(2); // the third hang script never started
    },
  );
});

describe('ergate run --start-method forkserver', () => {
  it('forks every script from warm servers with the preloads imported', async () => {
    const dir = makeTempDir();
    writeFileSync(path.join(dir, 'probe_a.py'), "import sys\nprint('decimal' in sys.modules, 'json' in sys.modules)\n");
    writeFileSync(path.join(dir, 'probe_b.py'), "import sys\nprint('decimal' in sys.modules)\nsys.exit(4)\n");
    const json = path.join(dir, 'report.json');
    const args = [
      'run',
      dir,
      '--python',
      PYTHON,
      '-j',
      '2',
      '--json',
      json,
      '--start-method',
      'forkserver',
      '--preload',
      'decimal',
    ];
    const { code, stdout } = await runCli(args);
    expect(code).toBe(1);
    expect(stdout).toContain('2 scripts: 1 passed, 1 failed, 0 timed out, 0 skipped');
    const report = readReport(json);
    const byName = Object.fromEntries(report.results.map((r) => [r.name, r]));
    expect(byName['probe_a.py']).toMatchObject({ status: 'passed', stdout: 'True False\n' });
    expect(byName['probe_b.py']).toMatchObject({ status: 'failed', exitCode: 4, stdout: 'True\n' });
    for (const result of report.results) expect(await isGoneSoon(result.pid)).toBe(true);
  });
});

describe('ergate usage', () => {
  it('--help, `ergate help` and --version exit 0; the help documents every exit code', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: ergate run');
    expect(help.stdout).toMatch(
      /Exit codes: 0 all passed, 1 any failed or timed out, 2 bad usage, 70 internal error[\s\S]*130 interrupted/,
    );
    const command = await runCli(['help']);
    expect(command).toMatchObject({ code: 0, stdout: help.stdout });
    const worker = await runCli(['help', 'worker']);
    expect(worker.code).toBe(0);
    expect(worker.stdout).toContain('Usage: ergate worker');
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });

  it.each([
    [['run', mixed, '--bogus'], /^ergate: unknown option --bogus\n/],
    [['run', mixed, '--jsno', 'x.json'], /^ergate: unknown option --jsno \(did you mean --json\?\)\n/],
    [
      ['run', mixed, '--retries', '-1'],
      /--retries: expected the number of extra runs after a failure, an integer >= 0, got "-1"/,
    ],
    [['run', mixed, '--json'], /--json: expected a value/],
    [['run', mixed, '-j'], /ergate: --jobs: expected a value/],
    [['rnu', mixed], /unknown command "rnu": expected run, worker or help \(did you mean run\?\)/],
    [
      ['run', mixed, '--timeout', 'soon'],
      /--timeout: expected a duration such as 30s, 500ms or 2m, or none, got "soon"/,
    ],
    [
      ['run', mixed, '-j', '0'],
      /--jobs: expected an integer >= 1 or a share of the cores such as 50% or 200%, got "0"/,
    ],
    [['run', mixed, '--memory', '2X'], /--memory: expected a size such as 512M or 2G/],
    [['run', '/no/such/folder'], /no such file or folder: \/no\/such\/folder/],
    [['run', '/dev/null'], /not a script file or a folder: \/dev\/null is a device/],
    [['merge-reports'], /merge-reports: expected JSON reports/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['run', mixed, '--resume-failed'], /--resume-failed needs --joblog/],
    [['run', mixed, '--python', '/no/such/python'], /--python: python interpreter '\/no\/such\/python' not found/],
    [['run', mixed, '--start-method', 'fork'], /--start-method: expected spawn or forkserver, got "fork"/],
    [['run', mixed, '--preload', 'json'], /--preload needs --start-method forkserver/],
    [
      ['run', mixed, '--start-method', 'forkserver', '--preload', 'json,os;rm'],
      /--preload: expected comma-separated module names .*got "os;rm"/,
    ],
  ])('bad usage %j exits 2 with a message and a hint', async (args, message) => {
    const { code, stderr, stdout } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('ergate --help');
    expect(stdout).toBe('');
  });

  it('a named pipe given as a script is refused, named as one, and never opened', async () => {
    const fifo = path.join(makeTempDir(), 'pipe_test.py');
    execFileSync('mkfifo', [fifo]);
    const { code, stderr } = await runCli(['run', fifo, '--python', PYTHON]);
    expect(code).toBe(2);
    expect(stderr).toContain(`not a script file or a folder: ${fifo} is a named pipe (FIFO)`);
  });

  it('bin/ergate.js runs the CLI (compiled dist/, else the sources via tsx)', async () => {
    expect(existsSync(path.join(root, 'bin', 'ergate.js'))).toBe(true);
    const child = spawn(process.execPath, [path.join(root, 'bin', 'ergate.js'), '--version'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { code, stdout } = await finish(child);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
