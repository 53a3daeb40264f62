// A worker's root and --functions folders are found by the C library's realpath, so a folder
// whose name is not UTF-8 (held in the surrogateescape form) is found, and the paths jobs name
// inside it are contained and resolved byte for byte.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { containedRealpath } from '../../src/distributed/contained-path.ts';
import { buildPolicy } from '../../src/distributed/job-policy.ts';
import { bytesOfPath, pathFromBytes } from '../../src/internal/byte-names.ts';

const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ergate-policy-')));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

it('a root and a functions folder named in bytes that are not UTF-8 are found, and contain their files', () => {
  const rootBytes = Buffer.concat([Buffer.from(`${base}/root`), Buffer.of(0xe9)]);
  fs.mkdirSync(Buffer.concat([rootBytes, Buffer.from('/fns')]), { recursive: true });
  fs.writeFileSync(Buffer.concat([rootBytes, Buffer.from('/job.py')]), 'print(1)\n');
  const root = pathFromBytes(rootBytes);
  expect(root).toBe(`${base}/root\uDCE9`);

  const policy = buildPolicy({ root, functions: [`${root}/fns`] }, 'ErgateWorker options');
  expect(policy.root).toBe(root);
  expect(policy.functions).toEqual([`${root}/fns`]);
  const script = containedRealpath(policy.root, 'job.py', 'script');
  expect(bytesOfPath(script).equals(Buffer.concat([rootBytes, Buffer.from('/job.py')]))).toBe(true);
  expect(() => containedRealpath(policy.root, '../elsewhere.py', 'script')).toThrow(/is outside the root/);
});

it('a root that does not exist is a TypeError naming the option, its escaped bytes readable', () => {
  const missing = `${base}/gone\uDCE9`;
  expect(() => buildPolicy({ root: missing }, 'ErgateWorker options')).toThrow(
    new TypeError(`ErgateWorker options.root: ${base}/gone\\xe9 does not exist`),
  );
});
