// Issue 16.3: ergate.config.json and [tool.ergate] in pyproject.toml set defaults and per-glob
// overrides (timeout, args, env, allowedExitCodes, memory, CPU time, retries); a flag beats the
// config's default, an override beats both; --timeout none; --memory with unit suffixes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, makeTempDir } from '../parallel/helpers.ts';
import { runCli, writeTree } from './run-cli.ts';

const PROBE = [
  'import json, os, resource, sys',
  'limits = {"data": resource.getrlimit(resource.RLIMIT_DATA)[0], "cpu": resource.getrlimit(resource.RLIMIT_CPU)[0]}',
  'print(json.dumps({"args": sys.argv[1:], "x": os.environ.get("X"), "y": os.environ.get("Y"), **limits}))',
  'sys.exit(int(os.environ.get("EXIT", "0")))',
].join('\n');
const SLEEPY = 'import time\ntime.sleep(1.5)\n';
const MIB = 1024 * 1024;

interface Probe {
  args: string[];
  x: string | null;
  y: string | null;
  data: number;
  cpu: number;
}

function resultsOf(
  file: string,
): Record<string, { status: string; stdout: string; attempts: number; exitCode: number | null }> {
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    results: Array<{ script: string; status: string; stdout: string; attempts: number; exitCode: number | null }>;
  };
  return Object.fromEntries(report.results.map((r) => [path.relative(path.dirname(file), r.script), r]));
}
const probe = (stdout: string): Probe => JSON.parse(stdout) as Probe;

describe('ergate.config.json', () => {
  it('applies defaults, per-glob overrides (later ones win, env merges) and flags in that order', async () => {
    const dir = makeTempDir();
    writeTree(dir, {
      'fast/probe.py': PROBE,
      'slow/probe.py': PROBE,
      'fast/sleepy.py': SLEEPY,
      'slow/sleepy.py': SLEEPY,
      'slow/exit5.py': PROBE,
    });
    const config = {
      timeout: '1s',
      memory: '256M',
      cpuTime: '20s',
      args: ['--default'],
      env: { X: 'run-wide' },
      overrides: [
        { files: 'slow/**', timeout: 'none', memory: '2G', env: { Y: 'slow' }, args: ['--slow'] },
        { files: 'exit5.py', env: { EXIT: '5' }, allowedExitCodes: [5], retries: 2 },
      ],
    };
    writeTree(dir, { 'ergate.config.json': JSON.stringify(config) });
    const json = path.join(dir, 'report.json');
    const { code, stderr } = await runCli(
      ['run', '.', '--python', PYTHON, '--json', json, '--memory', '512M', '-j', '4'],
      {},
      dir,
    );
    expect(stderr).toBe('');
    expect(code).toBe(1); // fast/sleepy.py times out at the config's 1 s
    const r = resultsOf(json);
    expect(r['fast/sleepy.py'].status).toBe('timeout');
    expect(r['slow/sleepy.py'].status).toBe('passed'); // override: timeout none
    // --memory 512M beats the config's 256M; the slow/** override's 2G beats both.
    expect(probe(r['fast/probe.py'].stdout)).toEqual({
      args: ['--default'],
      x: 'run-wide',
      y: null,
      data: 512 * MIB,
      cpu: 20,
    });
    expect(probe(r['slow/probe.py'].stdout)).toEqual({
      args: ['--slow'],
      x: 'run-wide',
      y: 'slow',
      data: 2048 * MIB,
      cpu: 20,
    });
    expect(r['slow/exit5.py']).toMatchObject({ status: 'passed', exitCode: 5, attempts: 1 });
    expect(probe(r['slow/exit5.py'].stdout)).toMatchObject({ args: ['--slow'], y: 'slow' });
  });

  it('per-glob retries re-run only the matching scripts', async () => {
    const dir = makeTempDir();
    writeTree(dir, {
      'a/fails.py': 'raise SystemExit(1)\n',
      'b/fails.py': 'raise SystemExit(1)\n',
      'ergate.config.json': JSON.stringify({ overrides: [{ files: 'a/*', retries: 2 }] }),
    });
    const json = path.join(dir, 'report.json');
    await runCli(['run', '.', '--python', PYTHON, '--json', json], {}, dir);
    const r = resultsOf(json);
    expect([r['a/fails.py'].attempts, r['b/fails.py'].attempts]).toEqual([3, 1]);
  });

  it('refuses an unknown key with the closest known one, and a bad value naming the key', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'x.py': 'pass\n', 'ergate.config.json': '{"timout": "3s"}' });
    const typo = await runCli(['run', '.', '--python', PYTHON], {}, dir);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/ergate\.config\.json: unknown key "timout" \(did you mean "timeout"\?\)/);
    writeTree(dir, { 'ergate.config.json': '{"overrides": [{"files": "*.py", "memory": "lots"}]}' });
    const bad = await runCli(['run', '.', '--python', PYTHON], {}, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/overrides\[0\]: memory: expected a size such as 512M or 2G.*got "lots"/);
  });
});

describe('[tool.ergate] in pyproject.toml', () => {
  it('is read when there is no ergate.config.json', async () => {
    const dir = makeTempDir();
    const toml = [
      '[project]',
      'name = "demo"',
      '',
      '[tool.ergate]',
      'timeout = "none"',
      'exclude = ["skip_*"]',
      'env = { X = "toml" }',
      '',
      '[[tool.ergate.overrides]]',
      'files = ["tools/*.py"]',
      'args = ["--from-toml"]',
      'memory = "1G"',
    ].join('\n');
    writeTree(dir, { 'pyproject.toml': toml, 'tools/probe.py': PROBE, 'skip_me.py': 'raise SystemExit(1)\n' });
    const json = path.join(dir, 'report.json');
    const { code } = await runCli(['run', '.', '--python', PYTHON, '--json', json], {}, dir);
    expect(code).toBe(0);
    const r = resultsOf(json);
    expect(Object.keys(r)).toEqual(['tools/probe.py']);
    expect(probe(r['tools/probe.py'].stdout)).toMatchObject({ args: ['--from-toml'], x: 'toml', data: 1024 * MIB });
  });
});

describe('--timeout none and --memory units', () => {
  it("--timeout none lifts the config's 1 s timeout; 2G reads as 2048 MiB", async () => {
    const dir = makeTempDir();
    writeTree(dir, { 'probe.py': PROBE, 'sleepy.py': SLEEPY, 'ergate.config.json': '{"timeout": "1s"}' });
    const json = path.join(dir, 'report.json');
    const { code } = await runCli(
      ['run', '.', '--python', PYTHON, '--timeout', 'none', '--memory', '2G', '--json', json],
      {},
      dir,
    );
    expect(code).toBe(0);
    const r = resultsOf(json);
    expect(r['sleepy.py'].status).toBe('passed');
    expect(probe(r['probe.py'].stdout).data).toBe(2048 * MIB);
  });
});
