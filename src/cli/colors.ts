// Owns colour decisions: ANSI colours only on a TTY and only when NO_COLOR is unset
// (https://no-color.org: any non-empty value disables colour). FORCE_COLOR=0 also disables.
import type { WriteStream } from 'node:tty';
import { styleText } from 'node:util';

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
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR === '0') return false;
  return (stream as WriteStream).isTTY === true;
}

export function createPalette(enabled: boolean): Palette {
  if (!enabled) return { green: plain, red: plain, yellow: plain, dim: plain, bold: plain };
  // node:util styleText (Node >= 20.12) writes the escape codes; the gate above decides.
  return {
    green: (t) => styleText('green', t),
    red: (t) => styleText('red', t),
    yellow: (t) => styleText('yellow', t),
    dim: (t) => styleText('dim', t),
    bold: (t) => styleText('bold', t),
  };
}
