// Owns the command line's bytes: Node decodes argv as UTF-8 and turns a byte that is not UTF-8
// into U+FFFD, so `ergate run caf<E9>_test.py` (or such an argument after `--`) would name no
// file. Such arguments are read again from /proc/self/cmdline, in the surrogateescape form
// (src/internal/byte-names.ts). Invariant: an argument changes only when its bytes there
// decode (lossily) to exactly the argument Node gave; otherwise argv is kept as it is.
import { readFileSync } from 'node:fs';
import { pathFromBytes } from '../../internal/byte-names.ts';

/** `argv` (the tail of process.argv) with each lossy argument replaced by its exact form. */
export function argumentsWithBytes(argv: readonly string[]): string[] {
  if (!argv.some((arg) => arg.includes('\uFFFD'))) return [...argv];
  let raw: Buffer;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    return [...argv]; // no /proc: the lossy arguments stay, and name no file
  }
  const entries: Buffer[] = [];
  for (let at = 0; at < raw.length;) {
    const end = raw.indexOf(0, at);
    entries.push(raw.subarray(at, end === -1 ? raw.length : end));
    at = end === -1 ? raw.length : end + 1;
  }
  // Node's own options come before the script: the arguments are the last entries.
  const tail = entries.slice(entries.length - argv.length);
  if (tail.length !== argv.length || tail.some((bytes, i) => bytes.toString('utf8') !== argv[i])) return [...argv];
  return tail.map((bytes) => pathFromBytes(bytes));
}
