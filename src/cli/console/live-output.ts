// Owns --show-output / --tag: each script's output printed live, whole lines only, each line
// prefixed with the script's name and a tab (GNU parallel's --tag), stdout to stdout and
// stderr to stderr. Lines of different scripts interleave, never the pieces of one line; a
// partial last line is printed when its script finishes, and an endless line every 64 KiB.
import { displayName } from '../reports/script-names.ts';

const MAX_PARTIAL = 64 * 1024;

export class LiveOutput {
  readonly #partial = new Map<string, string>();
  readonly #out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

  constructor(
    out = { stdout: process.stdout as NodeJS.WritableStream, stderr: process.stderr as NodeJS.WritableStream },
  ) {
    this.#out = out;
  }

  write(script: string, stream: 'stdout' | 'stderr', chunk: string): void {
    const key = `${stream}\0${script}`;
    const text = (this.#partial.get(key) ?? '') + chunk;
    const end = text.lastIndexOf('\n');
    let rest = end === -1 ? text : text.slice(end + 1);
    if (end !== -1) this.#emit(script, stream, text.slice(0, end));
    if (rest.length >= MAX_PARTIAL) {
      this.#emit(script, stream, rest);
      rest = '';
    }
    if (rest === '') this.#partial.delete(key);
    else this.#partial.set(key, rest);
  }

  /** Prints what is left of a finished script's last lines. */
  flush(script: string): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = `${stream}\0${script}`;
      const rest = this.#partial.get(key);
      this.#partial.delete(key);
      if (rest !== undefined) this.#emit(script, stream, rest);
    }
  }

  #emit(script: string, stream: 'stdout' | 'stderr', lines: string): void {
    const tag = displayName(script);
    const text = lines
      .split('\n')
      .map((line) => `${tag}\t${line.replace(/\r$/, '')}\n`)
      .join('');
    this.#out[stream].write(text);
  }
}
