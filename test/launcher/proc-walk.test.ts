// The launcher finds a script's descendants (setsid ones included) by walking
// /proc/<pid>/task/<tid>/children, so a stop costs a few reads however many processes the
// machine runs; the full /proc scan stays as the fallback and must agree with the walk.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PYTHON, fixture } from './helpers.ts';

const pythonDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'python');

interface Found {
  childrenFiles: boolean;
  kids: number[];
  walk: [number, number, string][];
  scan: [number, number, string][];
  descendants: [number, number, string][];
}

describe('descendants of a process', () => {
  it('walks the children files to every descendant the full scan finds, across threads and setsid', () => {
    const found = JSON.parse(execFileSync(PYTHON, [fixture('walk_tree.py'), pythonDir], { encoding: 'utf8' })) as Found;
    expect(found.childrenFiles).toBe(true); // Linux with CONFIG_PROC_CHILDREN, as on every supported kernel we test
    expect(found.walk).toEqual(found.scan);
    expect(found.descendants).toEqual(found.walk);
    const pids = found.walk.map(([pid]) => pid);
    for (const kid of found.kids) expect(pids).toContain(kid);
    expect(pids).toHaveLength(found.kids.length + 1); // and the nested child's grandchild
    const setsid = found.walk.find(([pid]) => pid === found.kids[1])!;
    expect(setsid[1]).toBe(found.kids[1]); // its own group: found by ppid, not by group
  });
});
