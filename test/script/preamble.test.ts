// The spawn preamble's cheap paths (python/preamble.py, python/_ergate_preamble.py): the exit
// sweep's one-syscall "any child left?" check still finds a setsid daemon, and the bytecode
// cache and _ctypes shortcuts leave nothing a script can notice.
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { PYTHON, fixture, waitUntilGone } from './helpers.ts';

describe('spawn preamble', () => {
  const base = { python: PYTHON, startMethod: 'spawn' as const };

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
      'preamble_module False',
      'builtins_is_module module',
      'loader SourceFileLoader __main__',
      '',
    ]);
  });
});
