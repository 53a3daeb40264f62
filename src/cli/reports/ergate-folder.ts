// Owns the CLI's state folder, .ergate/ in the working folder (the run history): when ergate
// creates it, it also writes a .gitignore of "*" inside, as .pytest_cache/ does, so the
// folder never shows up in `git status`. A folder that already exists is left as it is.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function ensureErgateFolder(historyFile: string): void {
  const folder = path.dirname(path.resolve(historyFile));
  if (existsSync(folder)) return;
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, '.gitignore'), '# Created by ergate: its run history is local state.\n*\n');
  } catch {
    // The history store reports a folder it cannot write, once, when it first tries.
  }
}
