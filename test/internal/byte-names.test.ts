// The surrogateescape convention of src/internal/byte-names.ts: any bytes round-trip exactly,
// the string is the one Python's os.fsdecode gives (checked against a real python3), the
// launcher's encoding keeps the lone surrogates, and the readable form names each byte.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesOfPath,
  fsPath,
  pathFromBytes,
  readableBytes,
  utf8KeepingSurrogates,
} from '../../src/internal/byte-names.ts';
import { PYTHON } from '../parallel/helpers.ts';

const SAMPLES = [
  Buffer.from('caf\xe9_test.py', 'latin1'),
  Buffer.from([0x61, 0xe2, 0x82, 0x41, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0xf4, 0x90, 0x80, 0x80, 0xff]),
  Buffer.from('plain_ütf8_😀.py'),
  Buffer.from([0xef, 0xbb, 0xbf, 0x62, 0x6f, 0x6d]), // a leading BOM is part of the name
];

describe('byte names', () => {
  it('round-trips any bytes exactly (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => bytesOfPath(pathFromBytes(bytes)).equals(bytes)),
      { numRuns: 2000 },
    );
  });

  it("gives the string Python's os.fsdecode gives, and Python's marshal reads the launcher's encoding back", () => {
    const ours = SAMPLES.map((b) => pathFromBytes(b));
    const python = [
      'import json, marshal, os, sys',
      'samples = [bytes.fromhex(h) for h in sys.argv[1].split(",")]',
      'sent = [marshal.loads(b"u" + len(b).to_bytes(4, "little") + b) for b in map(bytes.fromhex, sys.argv[2].split(","))]',
      'print(json.dumps([[os.fsdecode(s) for s in samples], [os.fsencode(s).hex() for s in sent]]))',
    ].join('\n');
    const out = execFileSync(PYTHON, [
      '-c',
      python,
      SAMPLES.map((b) => b.toString('hex')).join(','),
      ours.map((s) => utf8KeepingSurrogates(s).toString('hex')).join(','),
    ]).toString();
    const [decoded, reencoded] = JSON.parse(out) as [string[], string[]];
    expect(decoded).toEqual(ours);
    expect(reencoded).toEqual(SAMPLES.map((b) => b.toString('hex')));
  });

  it('leaves valid UTF-8 alone and names each undecodable byte as \\xNN when read', () => {
    expect(pathFromBytes(SAMPLES[2])).toBe('plain_ütf8_😀.py');
    expect(fsPath('plain_ütf8_😀.py')).toBe('plain_ütf8_😀.py');
    expect(Buffer.isBuffer(fsPath(pathFromBytes(SAMPLES[0])))).toBe(true);
    expect(readableBytes(pathFromBytes(SAMPLES[0]))).toBe('caf\\xe9_test.py');
    expect(readableBytes('😀\uDCFF\uD800')).toBe('😀\\xff\uFFFD');
  });
});
