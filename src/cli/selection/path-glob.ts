// Owns how --exclude and the config file's per-glob overrides match a script: the glob is
// matched against the script's path relative to a base folder (the working directory, or the
// config file's folder), with "/" separators; a glob without "/" matches the file name in any
// folder, as in .gitignore ("slow_*.py"); dot files match like any other.
import path from 'node:path';
import picomatch from 'picomatch';

export type PathMatcher = (absolute: string) => boolean;

export function globMatcher(globs: string | readonly string[], base: string): PathMatcher {
  const list = typeof globs === 'string' ? [globs] : [...globs];
  // picomatch's own `basename` option also applies to globs with a "/", so split them here.
  const byName = list.filter((g) => !g.includes('/'));
  const byPath = list.filter((g) => g.includes('/')).map((g) => g.replace(/^\.\//, ''));
  const nameTest = byName.length > 0 ? picomatch(byName, { dot: true }) : () => false;
  const pathTest = byPath.length > 0 ? picomatch(byPath, { dot: true }) : () => false;
  return (absolute) => {
    const relative = path.relative(base, absolute).split(path.sep).join('/');
    return nameTest(path.posix.basename(relative)) || pathTest(relative);
  };
}
