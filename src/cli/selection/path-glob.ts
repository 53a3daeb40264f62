// Owns how --exclude and the config file's per-glob overrides match a script: the glob is
// matched against the script's path relative to a base folder (the working directory, or the
// config file's folder), with "/" separators; a glob without "/" matches the file name in any
// folder, as in .gitignore ("slow_*.py"); a glob that names a folder matches everything in it
// ("tests/legacy", or "legacy" for a folder of that name anywhere); dot files match like any other.
import path from 'node:path';
import picomatch from 'picomatch';

export type PathMatcher = (absolute: string) => boolean;

export function globMatcher(globs: string | readonly string[], base: string): PathMatcher {
  const list = (typeof globs === 'string' ? [globs] : [...globs]).map((g) => g.replace(/^\.\//, ''));
  // picomatch's own `basename` option also applies to globs with a "/", so split them here.
  const byName = list.filter((g) => !g.replace(/\/+$/, '').includes('/') && !g.endsWith('/'));
  const byPath = list.filter((g) => !byName.includes(g)).map((g) => g.replace(/\/+$/, ''));
  // The folder forms: everything under a folder the glob names.
  const folders = [...byName.map((g) => `**/${g}/**`), ...byPath.map((g) => `${g}/**`)];
  const nameTest = byName.length > 0 ? picomatch(byName, { dot: true }) : () => false;
  const pathTest = picomatch([...byPath, ...folders], { dot: true });
  return (absolute) => {
    const relative = path.relative(base, absolute).split(path.sep).join('/');
    return nameTest(path.posix.basename(relative)) || pathTest(relative);
  };
}
