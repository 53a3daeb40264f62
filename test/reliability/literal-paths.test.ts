// Script paths and arguments run literally, never through a shell: names with spaces, quotes,
// unicode, `$(...)`, backticks, `;` or a leading dash reach Python unchanged as sys.argv, and
// nothing in them is ever executed. Checked for fixed nasty names and, property-based, for
// arbitrary file names (every character a file name may hold).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ParallelRunner, runScript } from '../../src/index.ts';
import { PYTHON, fixture } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-literal-'));
const canary = path.join(dir, 'pwned');

function place(name: string): string {
  const file = path.join(dir, name);
  copyFileSync(fixture('echo_argv.py'), file);
  return file;
}

const NASTY = [
  'with space.py',
  `quote's "double".py`,
  'ünïcödé 日本語 🐍.py',
  '$(touch pwned).py',
  '`touch pwned`.py',
  '-dash.py',
  '--help.py',
  `; touch pwned ;.py`,
  'a\nnewline.py',
  '*.py',
];

describe('script paths and arguments run literally', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(NASTY)('runScript(%j)', async (name) => {
    const file = place(name);
    const args = ['-c', '$(touch pwned)', '`id`', "it's", '--', '*'];
    const result = await runScript(file, { python: PYTHON, args });
    expect(result.status).toBe('passed');
    const seen = JSON.parse(result.stdout) as { argv: string[]; file: string };
    expect(seen.argv).toEqual([file, ...args]);
    expect(seen.file).toBe(file);
    expect(result.name).toBe(name);
    expect(existsSync(canary)).toBe(false);
  });

  it('a relative path with a leading dash is a file, not an option', async () => {
    place('-v.py');
    const result = await runScript(path.relative(process.cwd(), path.join(dir, '-v.py')), { python: PYTHON });
    expect(result.status).toBe('passed');
    expect((JSON.parse(result.stdout) as { argv: string[] }).argv[0]).toBe(path.join(dir, '-v.py'));
  });

  it('arbitrary file names, many at once through ParallelRunner', async () => {
    // Any character but '/' and NUL; at most 200 bytes so the name fits NAME_MAX. A script's
    // folder is sys.path[0], so a file named for a standard module ('re.py') shadows it for
    // every script beside it, as `python3 re.py` would: such names are left out.
    const stdlib = new Set(
      execFileSync(PYTHON, ['-c', 'import sys; print("\\n".join(sys.stdlib_module_names))'], { encoding: 'utf8' })
        .trim()
        .split('\n'),
    );
    const fileName = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 40 })
      .map((s) => s.replace(/[/\0]/g, '_'))
      .filter(
        (s) =>
          s !== '.' &&
          s !== '..' &&
          !stdlib.has(s) &&
          Buffer.byteLength(`${s}.py`) <= 200 &&
          !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')),
      );
    const seed = Date.now() % 2 ** 31;
    const names = fc.sample(fc.uniqueArray(fileName, { minLength: 40, maxLength: 40 }), { numRuns: 1, seed })[0];
    const files = names.map((name) => place(`${name}.py`));
    const runner = new ParallelRunner({ maxWorkers: 2, python: PYTHON });
    try {
      const result = await runner.runScripts(files);
      expect(result.total).toBe(files.length);
      // Names each script that did not pass with its error, so a failing batch can be told apart.
      expect(
        result.results.filter((r) => r.status !== 'passed').map((r) => [r.script, r.status, r.error]),
        `fast-check seed ${seed}`,
      ).toEqual([]);
      expect(result.passed).toBe(files.length);
      for (const r of result.results) expect((JSON.parse(r.stdout) as { argv: string[] }).argv).toEqual([r.script]);
      expect(result.results.map((r) => r.script).sort()).toEqual([...files].sort());
    } finally {
      await runner.close();
    }
  });
});
