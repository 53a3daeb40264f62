// Owns the file-system calls of the folder search (tinyglobby's `fs` option), so a file or
// folder whose name is not valid UTF-8 is found and named in the surrogateescape form
// (src/internal/byte-names.ts) instead of a U+FFFD name that names no file. Invariant: every
// name the search yields is one fsPath() turns back into the entry's exact bytes; a folder
// whose names all decode costs one string check per entry more than plain fs.
import fs, { type Dirent } from 'node:fs';
import type { GlobOptions } from 'tinyglobby';
import { fsPath, pathFromBytes } from '../../internal/byte-names.ts';

type Callback<T> = (error: NodeJS.ErrnoException | null, value: T) => void;

/** Entries of a folder whose names did not all decode: read again as bytes, each renamed. */
function renamed(entries: Dirent<Buffer>[]): Dirent[] {
  for (const entry of entries) (entry as unknown as { name: string }).name = pathFromBytes(entry.name);
  return entries as unknown as Dirent[];
}

const undecodable = (entries: Dirent[]) => entries.some((entry) => entry.name.includes('\uFFFD'));

function readdir(dir: string, _options: unknown, callback: Callback<Dirent[]>): void {
  const at = fsPath(dir);
  fs.readdir(at, { withFileTypes: true }, (error, entries) => {
    if (error || !undecodable(entries)) return callback(error, entries);
    fs.readdir(at, { withFileTypes: true, encoding: 'buffer' }, (again, raw) =>
      callback(again, again ? [] : renamed(raw)),
    );
  });
}

function readdirSync(dir: string): Dirent[] {
  const at = fsPath(dir);
  const entries = fs.readdirSync(at, { withFileTypes: true });
  return undecodable(entries) ? renamed(fs.readdirSync(at, { withFileTypes: true, encoding: 'buffer' })) : entries;
}

function realpath(file: string, callback: Callback<string>): void {
  // The C library's realpath: Node's own reads a Buffer path as UTF-8.
  fs.realpath.native(fsPath(file), { encoding: 'buffer' }, (error, real) =>
    callback(error, error ? '' : pathFromBytes(real)),
  );
}

const realpathSync = (file: string): string =>
  pathFromBytes(fs.realpathSync.native(fsPath(file), { encoding: 'buffer' }));

function stat(file: string, callback: Callback<fs.Stats>): void {
  fs.stat(fsPath(file), callback);
}

const statSync = (file: string): fs.Stats => fs.statSync(fsPath(file));

/** The `fs` option that lets tinyglobby find and name such files. */
export const byteNameFs = { readdir, readdirSync, realpath, realpathSync, stat, statSync } as unknown as NonNullable<
  GlobOptions['fs']
>;
