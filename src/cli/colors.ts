// Owns colour decisions: ANSI colours only on a TTY and only when NO_COLOR is unset
// (https://no-color.org: any non-empty value disables colour). FORCE_COLOR=0 also disables.
import type { WriteStream } from 'node:tty';

export type Paint = (text: string) => string;
export interface Palette {
  green: Paint;
  red: Paint;
  yellow: Paint;
  dim: Paint;
  bold: Paint;
}

const plain: Paint = (text) => text;
const ansi = (open: number, close: number): Paint => (text) => `\u001b[${open}m${text}\u001b[${close}m`;

export function wantsColor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR === '0') return false;
  return (stream as WriteStream).isTTY === true;
}

export function createPalette(enabled: boolean): Palette {
  if (!enabled) return { green: plain, red: plain, yellow: plain, dim: plain, bold: plain };
  return { green: ansi(32, 39), red: ansi(31, 39), yellow: ansi(33, 39), dim: ansi(2, 22), bold: ansi(1, 22) };
}
