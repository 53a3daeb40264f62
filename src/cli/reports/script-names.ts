// Owns how the CLI names a script to people and to CI: the path relative to the working
// directory (so dup/a/run.py and dup/b/run.py never read alike), and the JUnit triple
// pytest writes (classname = dotted folder path, name = file name, file = relative path).
// Invariant: two different script paths never get the same display name or JUnit pair: a
// dot or backslash inside a folder name is escaped with a backslash (a.b/x.py is "a\.b",
// a/b/x.py is "a.b"), a folder named "(root)" reads "\(root)", and a script outside the
// working directory has a classname starting with "/". A name holding bytes that are not
// UTF-8 (src/internal/byte-names.ts) reads as git quotes it: "caf\xe9.py", in quotes with
// \\, \" and \xNN escapes (a name starting with a quote is quoted too), a folder's bytes as
// \xNN in the classname: text only, never a lone surrogate, and still never two alike.
import path from 'node:path';
import { hasEscapedBytes, readableBytes } from '../../internal/byte-names.ts';

/** The path relative to `cwd`; a script outside `cwd` keeps its absolute path. */
function relativeName(script: string, cwd: string): string {
  const relative = path.relative(cwd, script);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return script;
  return relative;
}

/** A path or name as text: as it is, or quoted when it holds undecodable bytes or starts with a quote. */
export function quotedName(name: string): string {
  if (!hasEscapedBytes(name) && !name.startsWith('"')) return name;
  return `"${readableBytes(name.replace(/[\\"]/g, '\\$&'))}"`;
}

/** The path relative to `cwd` (a script outside `cwd` keeps its absolute path), as text. */
export function displayName(script: string, cwd = process.cwd()): string {
  return quotedName(relativeName(script, cwd));
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
  const relative = relativeName(script, cwd);
  const dotted = path
    .dirname(relative)
    .split(path.sep)
    .filter((part) => part !== '' && part !== '.')
    .map((part) => readableBytes(part.replace(/[\\.]/g, '\\$&')))
    .join('.');
  const classname = path.isAbsolute(relative)
    ? `/${dotted}`
    : dotted === ''
      ? '(root)'
      : dotted === '(root)'
        ? '\\(root)'
        : dotted;
  return { classname, name: quotedName(path.basename(relative)), file: quotedName(relative) };
}

/** "1 script", "2 scripts": counts read as English. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
