// What a finished script left running dies when that script ends, whatever else its launcher
// runs, and is named in its result (leftovers); output a leftover keeps writing never delays
// the result. Both start methods, on a launcher shared by two scripts; proved by pid. A
// leftover caught inside execve is named by its command line all the same.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import type { ScriptResult, ScriptSpec } from '../../src/script/types.ts';
import { fixture, isPresent, outputMatcher, PYTHON, specFor as baseSpec, waitUntilGone } from './helpers.ts';

const STARTED = /started (\d+) (\d+)\n/;

function startedPids(result: ScriptResult): [number, number] {
  const match = STARTED.exec(result.stderr);
  if (!match) throw new Error(`no "started" line in ${JSON.stringify(result.stderr.slice(0, 200))}`);
  return [Number(match[1]), Number(match[2])];
}

describe.each(['spawn', 'forkserver'] as const)('leftovers of a finished script (%s)', (startMethod) => {
  let pool: SupervisorPool;
  beforeEach(() => {
    pool = new SupervisorPool({ size: 2, launchers: 1 }); // one launcher runs both scripts
  });
  afterEach(async () => {
    await pool.close();
  });
  const specFor = (name: string, overrides: Partial<ScriptSpec> = {}) => baseSpec(name, { startMethod, ...overrides });

  it('kills and names a setsid daemon when its script ends, while a sibling still runs', async () => {
    const controller = new AbortController();
    const watch = outputMatcher(STARTED);
    const sibling = pool.run(specFor('daemon.py', { args: ['hold'], liveOutput: true }), {
      signal: controller.signal,
      onOutput: watch.onOutput,
    });
    const [siblingPid, siblingDaemon] = (await watch.match).slice(1).map(Number);
    const result = await pool.run(specFor('daemon.py'));
    expect(result.status).toBe('passed');
    const [pid, daemon] = startedPids(result);
    expect(result.leftovers?.map((left) => left.pid)).toEqual([daemon]);
    expect(result.leftovers![0].command).toMatch(/python\S* \S*daemon\.py$/);
    await waitUntilGone([pid, daemon]);
    // The sibling's own daemon is below it (its subreaper), not taken for a leftover.
    expect([isPresent(siblingPid), isPresent(siblingDaemon)]).toEqual([true, true]);
    controller.abort();
    expect((await sibling).status).toBe('cancelled');
    await waitUntilGone([siblingPid, siblingDaemon]);
  });

  it('reports the result of a script whose leftover keeps writing to its stdout at once', async () => {
    const result = await pool.run(specFor('daemon.py', { args: ['chatty'], maxOutputBytes: 4096 }));
    expect(result.status).toBe('passed');
    const [pid, daemon] = startedPids(result);
    expect(result.leftovers?.map((left) => left.pid)).toEqual([daemon]);
    await waitUntilGone([pid, daemon]);
  });

  it('gives a script that leaves nothing behind an empty leftovers list', async () => {
    const result = await pool.run(specFor('exit-with.py', { args: ['0'] }));
    expect(result.status).toBe('passed');
    expect(result.leftovers).toEqual([]);
  });
});

it('names a leftover caught inside execve by its command line, not its pid', () => {
  // Right after Popen returns, `sleep` is most often still inside execve: its command line
  // reads empty for a moment. The launcher reads it again until it is there.
  const pythonDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'python');
  const names = JSON.parse(
    execFileSync(PYTHON, [fixture('name_in_exec.py'), pythonDir], { encoding: 'utf8' }),
  ) as string[];
  expect(names).toEqual(Array(20).fill('sleep 30'));
});
