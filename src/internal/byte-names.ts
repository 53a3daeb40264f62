// Owns file names that are not valid UTF-8. ergate carries every path as a JS string; a name's
// undecodable bytes (0x80-0xFF) are held as the lone surrogates U+DC80-U+DCFF, Python's
// surrogateescape convention (os.fsdecode), so the launcher's os.fsencode gives the bytes back.
// Invariant: bytesOfPath(pathFromBytes(b)) equals b byte for byte; valid UTF-8 maps as usual.
// Node's own fs calls take fsPath() (a Buffer only when the path holds such bytes).
// ignoreBOM: a name starting with EF BB BF keeps it (a decoder drops a leading BOM by default).
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The length of the valid UTF-8 sequence starting at `at`, or 0 when its first byte starts none. */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const lead = bytes[at];
  const cont = (i: number, lo = 0x80, hi = 0xbf) => at + i < bytes.length && bytes[at + i] >= lo && bytes[at + i] <= hi;
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return cont(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    // E0 needs A0-BF next (no overlong form), ED 80-9F (no surrogate), the rest 80-BF.
    const ok = lead === 0xe0 ? cont(1, 0xa0) : lead === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    return ok && cont(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const ok = lead === 0xf0 ? cont(1, 0x90) : lead === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    return ok && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** A file name (or path) read as bytes, as the string ergate carries (what os.fsdecode gives). */
export function pathFromBytes(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    let text = '';
    for (let at = 0; at < bytes.length;) {
      const length = sequenceLength(bytes, at);
      if (length === 0) text += String.fromCharCode(0xdc00 + bytes[at++]);
      else text += Buffer.from(bytes.buffer, bytes.byteOffset + at, length).toString('utf8');
      at += length;
    }
    return text;
  }
}

/** Whether `text` holds an undecodable byte (or any other lone surrogate). */
export function hasEscapedBytes(text: string): boolean {
  return !text.isWellFormed();
}

/** Splits `text` into well-formed runs and lone surrogates, and gives each to `emit`. */
function eachPiece(text: string, run: (piece: string) => void, lone: (unit: number) => void): void {
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++; // a pair: one character
      continue;
    }
    if (i > from) run(text.slice(from, i));
    lone(unit);
    from = i + 1;
  }
  if (from < text.length) run(from === 0 ? text : text.slice(from));
}

/** `text` in UTF-8, each lone surrogate as `lone` encodes it. */
function encodeWith(text: string, lone: (unit: number) => Buffer): Buffer {
  if (text.isWellFormed()) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  eachPiece(
    text,
    (piece) => parts.push(Buffer.from(piece, 'utf8')),
    (unit) => parts.push(lone(unit)),
  );
  return Buffer.concat(parts);
}

const REPLACEMENT = Buffer.from('\uFFFD', 'utf8');

/** The bytes a path names (os.fsencode); any other lone surrogate becomes U+FFFD, as Node writes it. */
export function bytesOfPath(text: string): Buffer {
  return encodeWith(text, (unit) => (unit >= 0xdc80 && unit <= 0xdcff ? Buffer.of(unit - 0xdc00) : REPLACEMENT));
}

/** What Node's fs functions take for `text`: the string itself, or its bytes when it holds escaped ones. */
export function fsPath(text: string): string | Buffer {
  return text.isWellFormed() ? text : bytesOfPath(text);
}

/**
 * `text` in UTF-8 with lone surrogates kept (encoded as Python's "surrogatepass" reads them),
 * for the launcher's marshal requests: Python gets the very string, escaped bytes included.
 */
export function utf8KeepingSurrogates(text: string): Buffer {
  return encodeWith(text, (unit) => Buffer.of(0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)));
}

/** `text` for people and reports: each escaped byte as `\\xNN`, any other lone surrogate as U+FFFD. */
export function readableBytes(text: string): string {
  if (text.isWellFormed()) return text;
  let readable = '';
  eachPiece(
    text,
    (piece) => (readable += piece),
    (unit) => (readable += unit >= 0xdc80 && unit <= 0xdcff ? `\\x${(unit - 0xdc00).toString(16)}` : '\uFFFD'),
  );
  return readable;
}
