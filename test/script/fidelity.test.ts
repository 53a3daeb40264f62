// What a script can notice of ergate, in both start methods: nothing python would not show
// (sys.modules, __loader__, bytecode setting), even when the script's project shadows a
// standard module ergate itself uses; and a setsid daemon it leaves is swept by the launcher.
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
