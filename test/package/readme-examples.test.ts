// Every ```js example in README.md runs as a user would run it (saved as an .mjs file beside
// a node_modules/ergate that is this package, so 'ergate' resolves to its dist/; run from the
// repository root, where the example scripts are), and prints exactly what its `// ...`
// comments say.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const EXAMPLES = [...README.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

/** The output an example promises: the trailing `// ...` comment of each console.log line. */
function promised(code: string): string[] {
  return code
    .split('\n')
    .filter((line) => line.includes('console.log('))
    .map((line) => /\/\/ (.*)$/.exec(line)?.[1] ?? '(no comment)');
}

describe('README examples', () => {
  const app = mkdtempSync(path.join(os.tmpdir(), 'ergate-readme-'));
  mkdirSync(path.join(app, 'node_modules'));
  symlinkSync(ROOT, path.join(app, 'node_modules', 'ergate'));
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('has one for each entry point', () => {
    const all = EXAMPLES.join('\n');
    for (const name of [
      'runScript',
      'ParallelRunner',
      'BatchRunner',
      'runFunction',
      'AsyncParallelRunner',
      'AsyncScheduler',
    ]) {
      expect(all).toContain(`import { ${name}`);
    }
  });

  it.each(EXAMPLES.map((code, i) => [code.split('\n')[0], code, i]))(
    '%s',
    async (_title, code, i) => {
      const file = path.join(app, `example-${i}.mjs`);
      writeFileSync(file, code);
      const env = { ...process.env, ERGATE_PYTHON: '/usr/bin/python3' };
      const { stdout } = await run(process.execPath, [file], { cwd: ROOT, env, timeout: 60_000 });
      expect(stdout.trimEnd().split('\n')).toEqual(promised(code));
    },
    90_000,
  );
});

describe('README config file examples', () => {
  it.each([
    ['json', 'ergate.config.json'],
    ['toml', 'pyproject.toml'],
  ])('the %s example is accepted by `ergate run --list`', async (lang, file) => {
    const config = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(README)?.[1];
    expect(config).toBeDefined();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-readme-config-'));
    try {
      writeFileSync(path.join(dir, file), config!);
      writeFileSync(path.join(dir, 'a.py'), 'pass\n');
      const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin', 'ergate.js'), 'run', '.', '--list'], {
        cwd: dir,
      });
      expect(stdout).toBe('a.py\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
