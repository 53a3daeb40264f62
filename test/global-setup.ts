// Builds dist/ once before the suite so pool threads load compiled workers
// (ERGATE_WORKERS_FROM=dist, set in vitest.config.ts): the code under test is the code that ships,
// and no thread pays for tsx. The main-thread code under test still comes from src/.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'],
    { cwd: root, stdio: 'inherit' },
  );
}
