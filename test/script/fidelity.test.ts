// What a script can notice of ergate, in both start methods: nothing python would not show
// (sys.modules, __loader__, bytecode setting), even when the script's project shadows a
// standard module ergate itself uses; and a setsid daemon it leaves is swept by the launcher.
// Also: the launcher caches its own bytecode whatever PYTHONDONTWRITEBYTECODE says (start-up cost).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { PYTHON, fixture, waitUntilGone } from './helpers.ts';

describe.each(['spawn', 'forkserver'] as const)('fidelity (%s)', (startMethod) => {
  const base = { python: PYTHON, startMethod };

  it('kills a setsid daemon a passing script leaves behind, before the run resolves', async () => {
    const result = await runScript(fixture('leave_setsid_daemon.py'), base);
    expect(result.status).toBe('passed');
    const leftover = Number(/leftover (\d+)/.exec(result.stdout)![1]);
    await waitUntilGone(leftover);
  });

  it('keeps PYTHONDONTWRITEBYTECODE, sys.modules, __builtins__ and __loader__ as python3 script.py has them', async () => {
    const result = await runScript(fixture('interpreter_state.py'), { ...base, env: { PYTHONDONTWRITEBYTECODE: '1' } });
    expect(result.status).toBe('passed');
    expect(result.stdout.split('\n')).toEqual([
      'dont_write_bytecode True',
      'ergate_module False',
      'builtins_is_module module',
      'loader SourceFileLoader __main__',
      '',
    ]);
  });
});

describe('launcher start-up (forkserver)', () => {
  it("caches ergate's own modules as bytecode even under PYTHONDONTWRITEBYTECODE, which stays the script's", async () => {
    const prefix = mkdtempSync(path.join(os.tmpdir(), 'ergate-pycache-'));
    try {
      const result = await runScript(fixture('interpreter_state.py'), {
        python: PYTHON,
        startMethod: 'forkserver',
        env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONPYCACHEPREFIX: prefix },
      });
      expect(result.stdout).toMatch(/^dont_write_bytecode True$/m);
      const written = readdirSync(prefix, { recursive: true }).map(String);
      expect(written.some((file) => /_ergate_loop\.cpython-\d+\.pyc$/.test(file))).toBe(true);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});
