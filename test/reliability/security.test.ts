// Security: the parent's secrets need not reach scripts (inheritEnv: false plus an allow-list,
// on runScript and on ParallelRunner), and the CLI's reports are written 0644 whatever the
// umask and never through a symbolic link planted at a report path.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchRunner, ParallelRunner, runScript } from '../../src/index.ts';
import { appendReportFile, writeReportFile } from '../../src/cli/reports/report-file.ts';
import { finish, startCliInShell } from '../cli/run-cli.ts';
import { PYTHON, fixture } from './helpers.ts';

const SECRET = 'ERGATE_TEST_SECRET_TOKEN';
const ALLOWED = 'ERGATE_TEST_ALLOWED';

function envOf(stdout: string): Record<string, string> {
  return JSON.parse(stdout) as Record<string, string>;
}

describe('environment isolation', () => {
  beforeAll(() => {
    process.env[SECRET] = 's3cret';
    process.env[ALLOWED] = 'yes';
  });
  afterAll(() => {
    delete process.env[SECRET];
    delete process.env[ALLOWED];
  });

  it('runScript inherits the environment by default (the control)', async () => {
    const env = envOf((await runScript(fixture('env_dump.py'), { python: PYTHON })).stdout);
    expect(env[SECRET]).toBe('s3cret');
  });

  it('runScript with inheritEnv: false passes only env and the allow-list', async () => {
    const result = await runScript(fixture('env_dump.py'), {
      python: PYTHON,
      inheritEnv: false,
      envAllowList: [ALLOWED, 'NOT_SET_ANYWHERE'],
      env: { GIVEN: '1' },
    });
    expect(result.status).toBe('passed');
    const env = envOf(result.stdout);
    expect(env[SECRET]).toBeUndefined();
    expect(env.HOME).toBeUndefined();
    expect(env[ALLOWED]).toBe('yes');
    expect(env.GIVEN).toBe('1');
    expect('NOT_SET_ANYWHERE' in env).toBe(false);
    // Only what was asked for, plus ergate's own variables.
    const own = Object.keys(env).filter((k) => ![ALLOWED, 'GIVEN'].includes(k));
    for (const key of own) expect(key).toMatch(/^(PYTHONUNBUFFERED|PYTHONPATH|LC_CTYPE|ERGATE_JUNIT_XML)$/);
  });

  it('ParallelRunner and BatchRunner: inheritEnv: false on the runner, overridable per run', async () => {
    const runner = new ParallelRunner({ python: PYTHON, inheritEnv: false, envAllowList: [ALLOWED] });
    const batch = new BatchRunner({ python: PYTHON, inheritEnv: false });
    try {
      const isolated = await runner.runScripts([fixture('env_dump.py')], { env: { GIVEN: '1' } });
      const env = envOf(isolated.results[0].stdout);
      expect(env[SECRET]).toBeUndefined();
      expect(env[ALLOWED]).toBe('yes');
      expect(env.GIVEN).toBe('1');
      const inherited = await runner.runScripts([fixture('env_dump.py')], { inheritEnv: true });
      expect(envOf(inherited.results[0].stdout)[SECRET]).toBe('s3cret');
      const [batched] = await batch.runBatches([[fixture('env_dump.py')]]);
      expect(envOf(batched.results[0].stdout)[SECRET]).toBeUndefined();
    } finally {
      await runner.close();
      await batch.close();
    }
  });
});

describe('CLI reports', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-reports-'));
  const scripts = path.join(dir, 'scripts');
  const reports = path.join(dir, 'reports');
  const outside = path.join(dir, 'outside');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    for (const d of [scripts, reports, outside]) mkdirSync(d);
    writeFileSync(path.join(scripts, 'ok.py'), 'print("ok")\n');
  });

  /** Runs the CLI with umask 077, so only an explicit 0644 gives readable reports. */
  async function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const { code, stderr } = await finish(startCliInShell('umask 077', ['run', scripts, '--python', PYTHON, ...args]));
    return { code, stderr };
  }

  it('writes --json, --junit and --joblog as regular 0644 files even under umask 077', async () => {
    const files = ['r.json', 'r.xml', 'r.log'].map((f) => path.join(reports, f));
    const { code, stderr } = await runCli(['--json', files[0], '--junit', files[1], '--joblog', files[2]]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const file of files) {
      expect(lstatSync(file).isFile()).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o644);
    }
    expect((JSON.parse(readFileSync(files[0], 'utf8')) as { passed: number }).passed).toBe(1);
  }, 60_000);

  it.each(['--json', '--junit', '--joblog'])(
    'refuses %s through a symbolic link pointing out of the folder',
    async (flag) => {
      const target = path.join(outside, `target${flag}`);
      writeFileSync(target, 'untouched\n');
      const link = path.join(reports, `link${flag}`);
      symlinkSync(target, link);
      const { code, stderr } = await runCli([flag, link]);
      expect(code).toBe(2);
      expect(stderr).toContain(flag);
      expect(stderr).toMatch(/symbolic link/);
      expect(readFileSync(target, 'utf8')).toBe('untouched\n');
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
    },
    60_000,
  );

  it('the writers never follow a link planted after the check', () => {
    const target = path.join(outside, 'late-target');
    writeFileSync(target, 'untouched\n');
    const link = path.join(reports, 'late-link');
    symlinkSync(target, link);
    // Append: O_NOFOLLOW refuses. Replace: rename swaps out the link itself.
    expect(() => appendReportFile(link, 'line\n')).toThrow(/ELOOP/);
    writeReportFile(link, 'report\n');
    expect(readFileSync(target, 'utf8')).toBe('untouched\n');
    expect(lstatSync(link).isFile()).toBe(true);
    expect(statSync(link).mode & 0o777).toBe(0o644);
  });
});
