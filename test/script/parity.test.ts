// Both start methods give the same ScriptResult (pid, times, peakRssKb and cpuTimeMs aside)
// for one corpus of fixtures: every way a script can end, every limit, output at its edges,
// stdin and argv. Each case runs in both methods; the two results must be equal, and each
// must be what the corpus says.
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import type { RunScriptOptions, ScriptResult, ScriptStatus } from '../../src/script/types.ts';
import { PYTHON, fixture, waitUntilGone } from './helpers.ts';

interface Case {
  name: string;
  script: string;
  options?: RunScriptOptions;
  status: ScriptStatus;
  error?: RegExp;
  stdout?: string | RegExp;
}

const corpus: Case[] = [
  { name: 'pass', script: 'hello.py', status: 'passed', stdout: /^hello from / },
  {
    name: 'non-zero exit',
    script: 'exit_code.py',
    options: { args: ['3'] },
    status: 'failed',
    error: /^exited with code 3 \(expected 0\)$/,
  },
  {
    name: 'allowed exit code',
    script: 'exit_code.py',
    options: { args: ['3'], allowedExitCodes: [0, 3] },
    status: 'passed',
  },
  { name: 'uncaught exception', script: 'raise_error.py', status: 'failed', error: /: uncaught ValueError$/ },
  { name: 'SyntaxError', script: 'syntax_error.py', status: 'failed', error: /: uncaught SyntaxError$/ },
  {
    name: 'signal',
    script: 'kill_self.py',
    options: { args: ['SIGABRT'] },
    status: 'failed',
    error: /^killed by signal SIGABRT$/,
  },
  // 2000 ms: both start methods must reach the fixture's "started" line before the deadline,
  // or their stdout and signal differ; at 500 ms a machine at load 20 timed spawn out first.
  {
    name: 'timeout',
    script: 'forever.py',
    options: { timeoutMs: 2000 },
    status: 'timeout',
    error: /^timed out after 2000 ms$/,
  },
  {
    name: 'SIGTERM ignored',
    script: 'ignore_term.py',
    options: { timeoutMs: 2000, killGraceMs: 200 },
    status: 'timeout',
    error: /^timed out after 2000 ms$/,
  },
  {
    name: 'MemoryError under memoryLimitMb',
    script: 'memory_hog.py',
    options: { memoryLimitMb: 256 },
    status: 'failed',
    error: /^memory limit of 256 MiB exceeded \(MemoryError\)$/,
  },
  {
    name: 'CPU limit',
    script: 'cpu_burn.py',
    options: { cpuTimeLimitS: 1 },
    status: 'failed',
    error: /^CPU time limit of 1 s exceeded$/,
  },
  { name: 'setsid grandchild', script: 'leave_setsid_daemon.py', status: 'passed', stdout: /^leftover \d+\n$/ },
  {
    name: 'huge output, truncated',
    script: 'numbered_lines.py',
    options: { args: ['10000'], maxOutputBytes: 200 },
    status: 'passed',
    stdout: /\[\.\.\. 98690 bytes dropped \.\.\.\]/,
  },
  {
    name: 'multi-byte output at the seam',
    script: 'write_text.py',
    options: { args: ['aaaa\u20ac'], maxOutputBytes: 10 },
    status: 'passed',
    stdout: 'aaaa\u20ac',
  },
  { name: 'stdin read', script: 'read_stdin.py', status: 'passed', stdout: "stdin: ''\n" },
  {
    name: 'argv with spaces and unicode',
    script: 'echo_argv.py',
    options: { args: ['two words', 'ünïcødé ✓', ''] },
    status: 'passed',
    stdout: /"argv": \[[^\]]*"two words", "\\u00fcn/,
  },
];

/** What both methods must agree on: everything but pid, times and resource use. */
function comparable(result: ScriptResult): Partial<ScriptResult> {
  const {
    pid: _pid,
    slot: _slot,
    startTime: _s,
    endTime: _e,
    durationMs: _d,
    peakRssKb: _r,
    cpuTimeMs: _c,
    ...rest
  } = result;
  // A printed pid, and the slot that was free, differ between runs; nothing else does.
  const leftovers = rest.leftovers?.map((left) => ({ ...left, pid: 0 }));
  return { ...rest, stdout: rest.stdout.replace(/(leftover|started) \d+/, '$1 N'), ...(leftovers && { leftovers }) };
}

describe.each(corpus)('parity: $name', (entry) => {
  it('gives the same result in spawn and forkserver, and the expected one', async () => {
    const run = (startMethod: 'spawn' | 'forkserver') =>
      runScript(fixture(entry.script), { python: PYTHON, timeoutMs: 30_000, ...entry.options, startMethod });
    const [spawned, forked] = await Promise.all([run('spawn'), run('forkserver')]);
    for (const result of [spawned, forked]) {
      expect(result.status).toBe(entry.status);
      if (entry.error) expect(result.error).toMatch(entry.error);
      else expect(result.error).toBeNull();
      if (typeof entry.stdout === 'string') expect(result.stdout).toBe(entry.stdout);
      else if (entry.stdout) expect(result.stdout).toMatch(entry.stdout);
      expect(result.pid).toBeGreaterThan(1);
    }
    expect(comparable(forked)).toEqual(comparable(spawned));
    if (entry.script === 'leave_setsid_daemon.py') {
      for (const result of [spawned, forked]) {
        const leftover = Number(/leftover (\d+)/.exec(result.stdout)![1]);
        expect(result.leftovers?.map((left) => left.pid)).toEqual([leftover]);
        await waitUntilGone(leftover);
      }
    }
  });
});
