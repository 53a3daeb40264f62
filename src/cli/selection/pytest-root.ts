// Owns pytest mode's file naming and its one --rootdir for a whole run, by pytest's own rule
// (_pytest/config/findpaths.py, determine_setup): the folder of the first ini file found from
// the arguments' common ancestor upwards (pytest.ini, .pytest.ini, or pyproject.toml, tox.ini,
// setup.cfg holding a pytest section), else a setup.py's folder, else the ancestor shared with
// the working folder. Every file run with it gets the node ids a whole-suite run gives.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fsPath } from '../../internal/byte-names.ts';

/** pytest's default python_files: test_*.py and *_test.py (conftest.py is never one). */
export const PYTEST_PATTERN = '**/{test_*,*_test}.py';

const INI_FILES: Array<[name: string, holdsPytest: (text: string) => boolean]> = [
  ['pytest.ini', () => true],
  ['.pytest.ini', () => true],
  ['pyproject.toml', (text) => /^\s*\[tool\.pytest\.ini_options\]/m.test(text)],
  ['tox.ini', (text) => /^\s*\[pytest\]/m.test(text)],
  ['setup.cfg', (text) => /^\s*\[tool:pytest\]/m.test(text)],
];

function isFile(p: string): boolean {
  return statSync(fsPath(p), { throwIfNoEntry: false })?.isFile() ?? false;
}

/** The folder of the first pytest ini file at or above one of `dirs`, else null. */
function locateIni(dirs: string[]): string | null {
  for (const dir of dirs) {
    for (let base = dir; ; base = path.dirname(base)) {
      for (const [name, holdsPytest] of INI_FILES) {
        const file = path.join(base, name);
        if (isFile(file) && holdsPytest(readFileSync(file, 'utf8'))) return base;
      }
      if (path.dirname(base) === base) break;
    }
  }
  return null;
}

function commonAncestor(paths: string[]): string {
  let common = paths[0];
  for (const p of paths.slice(1)) {
    while (common !== path.dirname(common) && p !== common && !p.startsWith(common + path.sep))
      common = path.dirname(common);
  }
  return common;
}

/** The --rootdir `pytest ARGS` would pick when run in `cwd` (ARGS: files or folders). */
export function pytestRootdir(args: string[], cwd = process.cwd()): string {
  const dirs = [
    ...new Set(
      args
        .map((arg) => path.resolve(cwd, arg.split('::')[0]))
        .filter((p) => existsSync(fsPath(p)))
        .map((p) => (statSync(fsPath(p)).isDirectory() ? p : path.dirname(p))),
    ),
  ];
  if (dirs.length === 0) return cwd;
  const ancestor = commonAncestor(dirs);
  const fromIni = locateIni([ancestor]);
  if (fromIni !== null) return fromIni;
  for (let base = ancestor; ; base = path.dirname(base)) {
    if (isFile(path.join(base, 'setup.py'))) return base;
    if (path.dirname(base) === base) break;
  }
  const fromArgs = dirs.length > 1 || dirs[0] !== ancestor ? locateIni(dirs) : null;
  if (fromArgs !== null) return fromArgs;
  const shared = commonAncestor([cwd, ancestor]);
  return shared === path.dirname(shared) ? ancestor : shared;
}

/** What every file of a pytest-mode run gets: pytest as the module, the run's rootdir, quiet output, no cache writes. */
export function pytestRunOptions(
  paths: string[],
  cwd = process.cwd(),
): { module: 'pytest'; cwd: string; args: string[] } {
  return { module: 'pytest', cwd, args: ['-q', '-p', 'no:cacheprovider', '--rootdir', pytestRootdir(paths, cwd)] };
}
