// Expands the CLI's <files|folders|globs...> into an ordered, de-duplicated list of absolute
// script paths: a file as given, a folder searched recursively for the pattern, a glob
// expanded. Each argument's matches are sorted; arguments keep their order. An argument
// that matches nothing is a usage error (a typo must not silently run zero scripts).
import { statSync } from 'node:fs';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { UsageError } from './usage.ts';

/** Folders never searched: caches and dependency trees are not scripts to run. */
const IGNORED = ['**/__pycache__/**', '**/node_modules/**', '**/.venv/**', '**/venv/**'];

export async function collectScripts(args: string[], pattern: string, cwd = process.cwd()): Promise<string[]> {
  const seen = new Set<string>();
  for (const arg of args) {
    const matches = await expandArgument(arg, pattern, cwd);
    if (matches.length === 0) throw new UsageError(`"${arg}" matched no scripts (pattern ${pattern})`);
    for (const match of matches) seen.add(match);
  }
  return [...seen];
}

async function expandArgument(arg: string, pattern: string, cwd: string): Promise<string[]> {
  const absolute = path.resolve(cwd, arg);
  const stat = statSync(absolute, { throwIfNoEntry: false });
  if (stat?.isFile()) return [absolute];
  if (stat?.isDirectory()) {
    return sortPaths(await glob(pattern, { cwd: absolute, absolute: true, onlyFiles: true, ignore: IGNORED }));
  }
  if (isDynamicPattern(arg)) {
    return sortPaths(await glob(arg, { cwd, absolute: true, onlyFiles: true, ignore: IGNORED }));
  }
  throw new UsageError(`no such file or folder: ${arg}`);
}

function sortPaths(paths: string[]): string[] {
  // Plain code-point order, so the run order does not depend on the locale.
  return paths.map((p) => path.normalize(p)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
