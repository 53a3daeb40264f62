// Owns how the CLI names a script to people and to CI: the path relative to the working
// directory (so dup/a/run.py and dup/b/run.py never read alike), and the JUnit triple
// pytest writes (classname = dotted folder path, name = file name, file = relative path).
// Invariant: two different script paths never get the same display name or JUnit pair: a
// dot or backslash inside a folder name is escaped with a backslash (a.b/x.py is "a\.b",
// a/b/x.py is "a.b"), a folder named "(root)" reads "\(root)", and a script outside the
// working directory has a classname starting with "/".
import path from 'node:path';

/** The path relative to `cwd`; a script outside `cwd` keeps its absolute path. */
export function displayName(script: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, script);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return script;
  return relative;
}

export interface JunitNames {
  /** dotted folder path relative to cwd, e.g. "dup.a.util"; "(root)" for a script in cwd */
  classname: string;
  /** the file name, e.g. "run.py" */
  name: string;
  /** the path relative to cwd, e.g. "dup/a/util/run.py" */
  file: string;
}

export function junitNames(script: string, cwd = process.cwd()): JunitNames {
  const file = displayName(script, cwd);
  const folder = path.dirname(file);
  const dotted = folder
    .split(path.sep)
    .filter((part) => part !== '' && part !== '.')
    .map((part) => part.replace(/[\\.]/g, '\\$&'))
    .join('.');
  const classname = path.isAbsolute(file)
    ? `/${dotted}`
    : dotted === ''
      ? '(root)'
      : dotted === '(root)'
        ? '\\(root)'
        : dotted;
  return { classname, name: path.basename(file), file };
}

/** "1 script", "2 scripts": counts read as English. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
