// A script whose file name is not valid UTF-8 (b'caf\xe9_test.py') runs, in both start
// methods, given as the Buffer of its path or as the surrogateescape string ergate carries:
// python3 gets the exact bytes as argv[0] and __file__, and an argument's bytes too.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { pathFromBytes } from '../../src/internal/byte-names.ts';
import { makeTempDir, writeByteNamedScript } from '../parallel/helpers.ts';
import { PYTHON, waitUntilGone } from './helpers.ts';

describe('a file name that is not valid UTF-8', () => {
  const arg = Buffer.from('x\xfe', 'latin1');
  for (const [startMethod, given] of [
    ['spawn', 'Buffer'],
    ['forkserver', 'string'],
  ] as const) {
    it(`runs with startMethod '${startMethod}', given as a ${given}, with its bytes in argv`, async () => {
      const file = writeByteNamedScript(makeTempDir());
      const result = await runScript(given === 'Buffer' ? file : pathFromBytes(file), {
        python: PYTHON,
        startMethod,
        args: [pathFromBytes(arg)],
        timeoutMs: 30_000,
      });
      expect(result.error).toBeNull();
      expect(result.status).toBe('passed');
      expect(result.stdout).toBe(`${file.toString('hex')} ${file.toString('hex')} ${arg.toString('hex')}\n`);
      expect(result.script).toBe(pathFromBytes(file));
      expect(result.name).toBe('caf\uDCE9_test.py');
      await waitUntilGone(result.pid!);
    });
  }

  it('is named with its bytes as \\xNN when missing, and a U+FFFD in a missing path is explained', async () => {
    const dir = makeTempDir();
    const missing = await runScript(Buffer.from(`${dir}/gone\xe9.py`, 'latin1'), { python: PYTHON });
    expect([missing.status, missing.error]).toEqual(['error', `script not found: ${dir}/gone\\xe9.py`]);
    // What fs.readdirSync(dir) would name it: the byte read as U+FFFD names no file.
    const lossy = await runScript(writeByteNamedScript(dir).toString('utf8'), { python: PYTHON });
    expect(lossy.error).toBe(
      `script not found: ${dir}/caf\uFFFD_test.py (U+FFFD stands for a byte that is not UTF-8 where a file name ` +
        "was read as text: give the path as a Buffer, e.g. from fs.readdirSync(dir, { encoding: 'buffer' }))",
    );
  });

  it('an interpreter whose path is not UTF-8 is an error that says why, not "not found"', async () => {
    const dir = makeTempDir();
    const folder = Buffer.concat([Buffer.from(`${dir}/py`), Buffer.of(0xe9)]);
    mkdirSync(folder);
    symlinkSync(PYTHON, Buffer.concat([folder, Buffer.from('/python3')]));
    const result = await runScript(writeByteNamedScript(dir), { python: `${pathFromBytes(folder)}/python3` });
    expect([result.status, result.pid]).toEqual(['error', null]);
    expect(result.error).toBe(
      `python interpreter '${dir}/py\\xe9/python3' has a path that is not UTF-8, which Node cannot start: ` +
        'name it by a path that is UTF-8',
    );
  });

  it("runs under pytest (module: 'pytest'), without the JUnit pytest cannot write for such a name", async () => {
    const dir = makeTempDir();
    const file = Buffer.concat([Buffer.from(`${dir}/test_caf`), Buffer.of(0xe9), Buffer.from('.py')]);
    writeFileSync(file, 'def test_ok():\n    assert True\n');
    const result = await runScript(file, { python: PYTHON, module: 'pytest', args: ['-q', '-p', 'no:cacheprovider'] });
    expect([result.status, result.error, result.tests]).toEqual(['passed', null, null]);
    expect(result.stdout).toMatch(/1 passed/);
  });
});
