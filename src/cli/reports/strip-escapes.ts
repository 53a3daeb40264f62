// Owns removing terminal escape sequences (colours, cursor moves, titles, links) from a
// script's output before it goes where a terminal will not interpret it: JUnit XML and the
// end-of-run summary. Whole sequences go, never just the ESC byte ("[31m" must not remain).

// ECMA-48: OSC strings (ESC ] ... BEL or ST), CSI sequences (ESC [ or 0x9B, parameters,
// intermediates, a final byte), then any other two-character escape.
const TERMINAL_ESCAPES =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b[\s\S]?/g;

/** Removes colour codes, cursor moves and other terminal escape sequences. */
export function stripTerminalEscapes(text: string): string {
  return text.replace(TERMINAL_ESCAPES, '');
}
