// Owns the worker's path containment: a path a job names must lie, by realpath (every
// symbolic link followed), inside a folder the worker chose. Invariant: what comes back is
// the real path, so the child runs the very file that was checked, not a link to elsewhere
// (a name that is not UTF-8 in the surrogateescape form, src/internal/byte-names.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fsPath, pathFromBytes } from '../internal/byte-names.ts';

/** True when `inner` is `outer` or lies below it (both absolute, normalised). */
export function isInside(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The realpath of `absolute` by the C library's realpath, in the surrogateescape form: Node's
 * own reads a Buffer path as UTF-8, so a name that is not (a link named in bytes, leading
 * anywhere) would look missing, and pass as inside.
 */
export function realpathExact(absolute: string): string {
  return pathFromBytes(fs.realpathSync.native(fsPath(absolute), { encoding: 'buffer' }));
}

/**
 * The realpath of `absolute`; for a path that does not exist (yet), the realpath of its
 * nearest existing ancestor joined with the rest, so a missing script is still reported
 * as missing by the run, while a link out of the folder is refused here.
 */
export function realpathOrAncestor(absolute: string): string {
  const rest: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return path.join(realpathExact(current), ...rest);
    } catch (error) {
      const parent = path.dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
      rest.unshift(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Resolves `relative` (from a job) against `realRoot` and checks the result stays inside it.
 * @param realRoot the folder's realpath (resolved once, when the worker starts)
 * @throws Error in plain words naming `what` when the path leads outside
 */
export function containedRealpath(realRoot: string, relative: string, what: string): string {
  const absolute = path.resolve(realRoot, relative);
  if (!isInside(realRoot, absolute))
    throw new Error(`the job's ${what} ${JSON.stringify(relative)} is outside the root ${realRoot}`);
  const real = realpathOrAncestor(absolute);
  if (!isInside(realRoot, real))
    throw new Error(`the job's ${what} ${JSON.stringify(relative)} leads outside the root ${realRoot} (to ${real})`);
  return real;
}
