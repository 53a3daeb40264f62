// The pools never keep a process alive and never outlive it: a program whose only work was
// runFunction exits by itself, and host processes die with their parent, even a SIGKILLed
// parent whose host is busy spinning (the host's watchdog notices it was orphaned).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAlive, waitUntil } from './helpers.ts';

const program = fileURLToPath(new URL('../fixtures/run-one-function.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');

function runProgram(args: string[]): {
  child: ReturnType<typeof spawn>;
  exited: Promise<{ code: number | null; stdout: string }>;
} {
  const child = spawn(process.execPath, ['--import', tsx, program, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout })),
  );
  return { child, exited };
}

describe('process lifetime', () => {
  it('a program whose only work was one threaded runFunction exits by itself', async () => {
    const { code, stdout } = await runProgram(['thread']).exited;
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'passed' });
  });

  it('a program whose only work was one memory-limited runFunction exits by itself, host included', async () => {
    const { code, stdout } = await runProgram(['process']).exited;
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as { status: string; hostPid: number; hostPids: number[] };
    expect(printed.status).toBe('passed');
    expect(printed.hostPids).toEqual([printed.hostPid]);
    await waitUntil(() => !isAlive(printed.hostPid), 10_000, `host ${printed.hostPid} to be gone`);
  });

  it('awaiting closeFunctionPool() with only an idle host left settles (the loop holds until it is reaped)', async () => {
    const { code, stdout } = await runProgram(['process-close']).exited;
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'closed 0\nclosed 1\nclosed 2\n' });
  });

  it('a busy host dies when its parent is SIGKILLed', async () => {
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'ergate-fn-')), 'pid');
    const { child, exited } = runProgram(['process-spin', marker]);
    await waitUntil(
      () => existsSync(marker) && readFileSync(marker, 'utf8') !== '',
      30_000,
      'the spinning call to start',
    );
    const hostPid = Number(readFileSync(marker, 'utf8'));
    expect(isAlive(hostPid)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    await waitUntil(() => !isAlive(hostPid), 10_000, `orphaned host ${hostPid} to be gone`);
  });
});
