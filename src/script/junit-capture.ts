// Where a run's JUnit XML goes and what a run adds so it gets written: every child sees a
// fresh path in $ERGATE_JUNIT_XML (in a private folder of this process, removed at exit);
// a `python -m pytest` run also gets --junitxml to it (file attributes on, so ids are node
// ids) and -rfEX, whose XPASS summary lines are how an xpassed test is told from a passed one
// (pytest's JUnit writes both as plain passes).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hasEscapedBytes } from '../internal/byte-names.ts';

let folder: string | null = null;
let counter = 0;

/** A path no other run of this process uses; nothing is created there. */
export function nextJunitPath(): string {
  if (folder === null) {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-junit-'));
    const made = folder;
    process.once('exit', () => fs.rmSync(made, { recursive: true, force: true }));
  }
  return `${folder}/${++counter}.xml`; // mkdtemp's folder is absolute and normal: no path.join per run
}

/**
 * What a pytest module run of `script` gets before its own args (a later --junitxml or -r of
 * theirs wins). Nothing for a file whose name is not valid UTF-8: pytest's JUnit writer cannot
 * encode it (UnicodeEncodeError, pytest 7.2) and would fail a passing file, so such a file is
 * judged by pytest's exit code alone, without test counts.
 */
export function pytestJunitArgs(file: string, script: string): string[] {
  if (hasEscapedBytes(script)) return [];
  return [`--junitxml=${file}`, '-o', 'junit_family=xunit1', '-rfEX'];
}

/**
 * The test ids (`file::rest` as in the JUnit) among `candidates` that pytest's summary in
 * `stdout` calls XPASS. Summary lines name tests relative to the working folder, so they are
 * matched by the file's basename and what follows it.
 */
export function xpassedIds(stdout: string, candidates: Iterable<{ id: string; file: string }>): Set<string> {
  const found = new Set<string>();
  if (!stdout.includes('XPASS ')) return found;
  const lines = stdout.split('\n').filter((line) => line.startsWith('XPASS '));
  for (const { id, file } of candidates) {
    const tail = `${path.posix.basename(file)}${id.slice(file.length)}`;
    const matches = (line: string) => {
      const at = line.indexOf(tail);
      const after = line[at + tail.length];
      return (
        at >= 6 &&
        (line[at - 1] === ' ' || line[at - 1] === '/') &&
        (after === undefined || after === ' ' || after === '\r')
      );
    };
    if (lines.some(matches)) found.add(id);
  }
  return found;
}
