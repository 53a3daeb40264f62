// Owns what script discovery selects, for the CLI's folder search and for a worker judging a
// job's script against its own discovery: files matching the pattern, never under hidden
// folders, caches, dependency trees or virtualenvs (a folder holding pyvenv.cfg, whatever its
// name), never Python's package files. Invariant: one list of rules; a worker runs only a
// regular file its own `ergate run <root>` would have selected.
import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { fsPath } from './byte-names.ts';

export const DEFAULT_PATTERN = '**/*.py';

/** Never searched: caches and dependency trees are not scripts, nor are package/pytest/setuptools files. */
export const SKIPPED_IN_SEARCH = [
  '**/__pycache__/**',
  '**/node_modules/**',
  '**/site-packages/**',
  '**/.venv/**',
  '**/venv/**',
  '**/__init__.py',
  '**/conftest.py',
  '**/setup.py',
];

const SKIPPED_FOLDERS = new Set(['__pycache__', 'node_modules', 'site-packages', 'venv']);
const SKIPPED_FILES = new Set(['__init__.py', 'conftest.py', 'setup.py']);

/** The first folder from `base` (exclusive) down to `file`'s folder that is a virtualenv, or null. */
export function virtualenvAbove(base: string, file: string, cache = new Map<string, boolean>()): string | null {
  const folders: string[] = [];
  for (let dir = path.dirname(file); dir !== base && dir.startsWith(base + path.sep); dir = path.dirname(dir))
    folders.unshift(dir);
  for (const dir of folders) {
    let venv = cache.get(dir);
    if (venv === undefined) {
      venv = fs.existsSync(fsPath(path.join(dir, 'pyvenv.cfg')));
      cache.set(dir, venv);
    }
    if (venv) return dir;
  }
  return null;
}

/** A pattern without "/" matches the file name in any folder; one with "/" the path from the root. */
export function patternMatcher(pattern: string): (relative: string) => boolean {
  const test = picomatch(pattern, { dot: false });
  return pattern.includes('/') ? test : (relative) => test(path.posix.basename(relative));
}

/**
 * Why discovery from `root` would not select `real`, in plain words, or null when it would.
 * @param real the script's realpath, inside `root` (a realpath too); a missing file is left
 *   for the run to report as missing
 */
export function whyNotDiscovered(
  root: string,
  real: string,
  matches: (relative: string) => boolean,
  pattern: string,
): string | null {
  const parts = path.relative(root, real).split(path.sep);
  const name = parts[parts.length - 1];
  const hidden = parts.find((part) => part.startsWith('.'));
  if (hidden !== undefined) return hidden === name ? 'it is a hidden file' : `it lies in a hidden folder (${hidden})`;
  const skipped = parts.slice(0, -1).find((part) => SKIPPED_FOLDERS.has(part));
  if (skipped !== undefined) return `it lies under ${skipped}`;
  if (SKIPPED_FILES.has(name)) return `${name} is a package file, never a script`;
  const venv = virtualenvAbove(root, real);
  if (venv !== null) return `it lies in a virtualenv (${path.relative(root, venv)} holds pyvenv.cfg)`;
  if (!matches(parts.join('/'))) return `it does not match --pattern ${pattern}`;
  const stat = fs.statSync(fsPath(real), { throwIfNoEntry: false });
  if (stat && !stat.isFile()) return 'it is not a regular file';
  return null;
}
