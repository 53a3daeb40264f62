// Expands the CLI's <files|folders|globs...> into an ordered, de-duplicated list of absolute
// script paths: a file as given, a folder searched recursively for the pattern, a glob
// expanded. Searches skip caches, virtualenvs, hidden folders and Python's non-script files
// (__init__.py, conftest.py, setup.py); a file named on the command line always counts.
// A name that is not valid UTF-8 is found and carried in the surrogateescape form
// (byte-name-fs.ts). Then --exclude applies to all. Each argument's matches are sorted; arguments keep their
// order. An argument that matches nothing is a usage error (a typo must not run zero scripts).
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { PathMatcher } from './path-glob.ts';
import { UsageError } from '../settings/usage.ts';
import { SKIPPED_IN_SEARCH, virtualenvAbove } from '../../internal/discovery-rules.ts';
import { fsPath } from '../../internal/byte-names.ts';
import { byteNameFs } from './byte-name-fs.ts';

export async function collectScripts(
  args: string[],
  pattern: string,
  cwd = process.cwd(),
  excluded: PathMatcher = () => false,
): Promise<string[]> {
  const seen = new Set<string>();
  let matched = 0;
  for (const arg of args) {
    const matches = await expandArgument(arg, pattern, cwd);
    if (matches.length === 0) throw new UsageError(`"${arg}" matched no scripts (pattern ${pattern})`);
    matched += matches.length;
    for (const match of matches) if (!excluded(match)) seen.add(match);
  }
  if (seen.size === 0)
    throw new UsageError(`all ${matched} matching scripts are excluded (--exclude or the config's exclude)`);
  return [...seen];
}

async function expandArgument(arg: string, pattern: string, cwd: string): Promise<string[]> {
  const absolute = path.resolve(cwd, arg);
  const stat = statSync(fsPath(absolute), { throwIfNoEntry: false });
  if (stat?.isFile()) return [absolute];
  if (stat?.isDirectory()) {
    const found = await glob(pattern, {
      cwd: absolute,
      absolute: true,
      onlyFiles: true,
      ignore: SKIPPED_IN_SEARCH,
      fs: byteNameFs,
    });
    // A virtualenv by any name (it holds pyvenv.cfg) is not searched either.
    const venvs = new Map<string, boolean>();
    return sortPaths(found.filter((file) => virtualenvAbove(absolute, path.normalize(file), venvs) === null));
  }
  if (isDynamicPattern(arg)) {
    return sortPaths(
      await glob(arg, { cwd, absolute: true, onlyFiles: true, ignore: SKIPPED_IN_SEARCH, fs: byteNameFs }),
    );
  }
  if (stat) throw new UsageError(`not a script file or a folder: ${arg} is ${kindOf(stat)}`);
  throw new UsageError(`no such file or folder: ${arg}`);
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function sortPaths(paths: string[]): string[] {
  // Plain code-point order, so the run order does not depend on the locale.
  return paths.map((p) => path.normalize(p)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
