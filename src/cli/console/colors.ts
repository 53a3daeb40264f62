// Owns colour decisions and the escape codes, identical on every Node version engines allows
// (node:util styleText's own stream and env checks changed within Node 20.x, so it is not
// used). In order: FORCE_COLOR=0|false disables and any other FORCE_COLOR enables (as Node
// itself reads it); else NO_COLOR (any non-empty value, https://no-color.org) or TERM=dumb
// disables; else colour exactly when the stream is a TTY.

export type Paint = (text: string) => string;
export interface Palette {
  green: Paint;
  red: Paint;
  yellow: Paint;
  dim: Paint;
  bold: Paint;
}

const plain: Paint = (text) => text;

export function wantsColor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force.toLowerCase() === 'false') return false;
    return true; // '', '1', '2', '3', 'true': forced on, even into a pipe
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** SGR open/close pairs; close codes are the specific resets, so styles nest. */
const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

export function createPalette(enabled: boolean): Palette {
  if (!enabled) return { green: plain, red: plain, yellow: plain, dim: plain, bold: plain };
  return { green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}
