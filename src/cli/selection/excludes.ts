// Owns the run's excludes: --exclude globs (relative to the working folder) and the config
// file's `exclude` (relative to its folder), matched as path-glob.ts says. Remembers which
// globs matched a script, so an exclude that matched nothing (a typo, a wrong base folder)
// is named once in a warning instead of silently running what it meant to leave out.
import path from 'node:path';
import { globMatcher, type PathMatcher } from './path-glob.ts';

interface Entry {
  glob: string;
  where: string;
  matches: PathMatcher;
  hit: boolean;
}

export class Excludes {
  readonly #entries: Entry[];

  constructor(flagGlobs: readonly string[], config: { file: string; exclude: string[] } | null, cwd = process.cwd()) {
    const entry = (glob: string, where: string, base: string): Entry => ({
      glob,
      where,
      matches: globMatcher(glob, base),
      hit: false,
    });
    this.#entries = [
      ...flagGlobs.map((glob) => entry(glob, '--exclude', cwd)),
      ...(config?.exclude ?? []).map((glob) => entry(glob, `exclude in ${config!.file}`, path.dirname(config!.file))),
    ];
  }

  /** Whether any exclude matches the script (each matching glob is marked as used). */
  readonly matches: PathMatcher = (script) => {
    let excluded = false;
    for (const entry of this.#entries) {
      if (entry.matches(script)) {
        entry.hit = true;
        excluded = true;
      }
    }
    return excluded;
  };

  /** One warning per exclude that matched no script. */
  unusedWarnings(): string[] {
    return this.#entries
      .filter((entry) => !entry.hit)
      .map((entry) => {
        const base = entry.where === '--exclude' ? 'the working folder' : "the config file's folder";
        return `${entry.where}: "${entry.glob}" matched no script (a glob with "/" is relative to ${base})`;
      });
  }
}
