// Values that pass the CLI's own checks must also pass the runner's: a bad flag or config
// value is exit 2 naming the flag or key, never the runner's TypeError (exit 70 with a stack).
// The property test: any config the CLI accepts gives settings the runner accepts.
import fc from 'fast-check';
import path from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { toConfig } from '../../src/cli/settings/config-file.ts';
import { parseCliArgs } from '../../src/cli/settings/parse-cli-args.ts';
import { UsageError } from '../../src/cli/settings/usage.ts';
import { scriptConfigSchema } from '../../src/parallel/validate-runner-options.ts';
import { parseRunScriptOptions } from '../../src/script/validate-options.ts';
import { PYTHON, makeTempDir } from '../parallel/helpers.ts';
import { runCli, writeTree } from './run-cli.ts';

const FILE = '/work/ergate.config.json';

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('accepted');
}

describe('values the runner would refuse are usage errors naming the flag or key', () => {
  it.each([
    [['--memory', '2000000000000000'], /^--memory: expected at most 1099511627776 MiB/],
    [['--cpu-time', '99999999999999999999'], /^--cpu-time: expected at most 1099511627776 seconds/],
    [['--tree-memory', '100', '--sample', '0'], /^--tree-memory needs the tree sampled/],
    [['--timeout', '0.0001ms'], /^--timeout: expected a duration/],
  ])('ergate run %j', (flags, message) => {
    expect(usageMessage(() => parseCliArgs(['run', 't.py', ...flags]))).toMatch(message);
  });

  it.each([
    [[], /expected a table of settings \(an object\), got an array/],
    [{ allowedExitCodes: [256] }, /allowedExitCodes\.0: expected an exit code from 0 to 255/],
    [{ allowedExitCodes: [-1] }, /allowedExitCodes\.0: expected an exit code from 0 to 255/],
    [{ env: { A: 'x\0y' } }, /env\.A: a NUL byte cannot be passed to a script/],
    [{ args: ['a\0'] }, /args\.0: a NUL byte cannot be passed to a script/],
    [{ overrides: [{ files: [], timeout: '1s' }] }, /overrides\.0\.files: expected at least one glob/],
    [{ overrides: [{ files: '', timeout: '1s' }] }, /overrides\.0\.files: expected a non-empty glob/],
    [{ memory: '2000000000T' }, /memory: expected at most 1099511627776 MiB/],
    [{ timeout: '0.0001ms' }, /timeout: expected a duration/],
  ])('a config of %j', (raw, message) => {
    expect(usageMessage(() => toConfig(FILE, raw))).toMatch(message);
  });

  it('end to end: exit 2 with one line naming the key, no stack', async () => {
    const dir = makeTempDir();
    writeTree(dir, { 't.py': 'print(1)\n', 'ergate.config.json': '{"allowedExitCodes": [300]}' });
    const { code, stderr } = await runCli(['run', 't.py', '--python', PYTHON], {}, dir);
    expect(code).toBe(2);
    expect(stderr).toContain(`${path.join(dir, 'ergate.config.json')}: allowedExitCodes.0: expected an exit code`);
    expect(stderr).not.toContain('    at ');
  }, 60_000);
});

const given = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('30s', '0.0001ms', '1h', 'none', '0', '512M', '2G', '9999999T', '1e400', '-1'),
  fc.double(),
  fc.integer({ min: -1_000, max: 1e15 }),
);
const strings = fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('a\0b')), { maxLength: 3 });
const settings = fc.record(
  {
    timeout: given,
    memory: given,
    cpuTime: given,
    retries: fc.oneof(fc.integer({ min: -2, max: 10 }), fc.double()),
    args: strings,
    env: fc.dictionary(
      fc.oneof(fc.string({ maxLength: 4 }), fc.constant('K\0')),
      fc.oneof(fc.string(), fc.constant('\0')),
    ),
    allowedExitCodes: fc.array(fc.oneof(fc.integer({ min: -300, max: 300 }), fc.double()), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const override = settings.chain((s) =>
  fc
    .record({ files: fc.oneof(fc.string({ maxLength: 6 }), fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 })) })
    .map((f) => ({ ...s, ...f })),
);

describe('property: any config the CLI accepts, the runner accepts', () => {
  it('holds for generated configs (defaults and overrides)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          settings,
          settings.chain((s) => fc.array(override, { maxLength: 2 }).map((overrides) => ({ ...s, overrides }))),
        ),
        (raw) => {
          let config;
          try {
            config = toConfig(FILE, raw);
          } catch (error) {
            if (error instanceof UsageError) return; // refused by the CLI: exit 2
            throw error;
          }
          for (const s of [config.defaults, ...config.overrides.map((o) => o.settings)]) {
            const { retries, ...perScript } = s;
            // the per-script options the runner builds from a ScriptConfig, and the config itself
            parseRunScriptOptions(perScript);
            v.parse(scriptConfigSchema, { ...perScript, ...(retries !== undefined && { retries }) });
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
