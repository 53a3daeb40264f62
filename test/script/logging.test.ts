// Start, end and errors of a run go to the logger option (pino-compatible) or, by default,
// to util.debuglog('ergate'), visible with NODE_DEBUG=ergate.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { PYTHON, fixture } from './helpers.ts';

function recordingLogger() {
  const entries: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
  const at = (level: string) => (obj: object, msg?: string) => {
    entries.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return { entries, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

describe.each(['spawn', 'forkserver'] as const)('logging (%s)', (startMethod) => {
  const base = { python: PYTHON, startMethod };
  it('logs start and end with script, status, exitCode and durationMs', async () => {
    const { entries, logger } = recordingLogger();
    const result = await runScript(fixture('exit_code.py'), { ...base, args: ['2'], logger });
    expect(entries.map((e) => e.level)).toEqual(['debug', 'warn']);
    expect(entries[0].obj).toEqual({ script: fixture('exit_code.py') });
    expect(entries[1].obj).toMatchObject({
      script: fixture('exit_code.py'),
      status: 'failed',
      exitCode: 2,
      durationMs: result.durationMs,
    });
  });

  it('logs a script that cannot run at error level', async () => {
    const { entries, logger } = recordingLogger();
    await runScript(fixture('does_not_exist.py'), { ...base, logger });
    expect(entries.at(-1)).toMatchObject({ level: 'error', obj: { status: 'error', exitCode: null } });
  });
});

// The default logger is the same object in both modes: checked once.
describe('logging by default', () => {
  it('writes to util.debuglog("ergate") by default', async () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const probe = `import(${JSON.stringify(path.join(root, 'src', 'index.ts'))}).then((m) => m.runScript(${JSON.stringify(fixture('hello.py'))}, { python: '/usr/bin/python3' }))`;
    const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', probe], {
      cwd: root,
      env: { ...process.env, NODE_DEBUG: 'ergate' },
    });
    expect(stderr).toMatch(/ERGATE \d+: debug script started/);
    expect(stderr).toMatch(/ERGATE \d+: info script passed .*"status":"passed","exitCode":0/);
  });
});
