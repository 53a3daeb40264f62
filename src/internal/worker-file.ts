// Locates a thread or host entry in workers/ (and python/ helpers) for the layout ergate runs
// from: compiled dist/ (plain .js) or TypeScript sources under tsx or vitest (.ts, which the
// caller loads with tsx registered: see src/function/host-entry.ts).
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';

const here = path.dirname(fileURLToPath(import.meta.url));
/** true when this module itself is TypeScript source (tsx / vitest), false from dist/. */
export const runningFromSource = import.meta.url.endsWith('.ts');
/** Repository (or installed package) root: src/internal -> root, dist/src/internal -> dist. */
const layoutRoot = path.resolve(here, '..', '..');
/** Package root, where python/ and package.json live. */
export const packageRoot = runningFromSource ? layoutRoot : path.resolve(layoutRoot, '..');

/**
 * Absolute path of a thread or host entry in workers/: workers/<name>.ts from source,
 * <dist>/workers/<name>.js when compiled. @param name e.g. 'function-host'
 */
export function workerFile(name: string): string {
  if (runningFromSource && !useCompiledWorkers(name)) return path.join(layoutRoot, 'workers', `${name}.ts`);
  const compiledRoot = runningFromSource ? path.join(layoutRoot, 'dist') : layoutRoot;
  return path.join(compiledRoot, 'workers', `${name}.js`);
}

/**
 * ERGATE_WORKERS_FROM=dist makes a source checkout load its thread entries from a fresh
 * `npm run build` (the test suite sets it after building): a thread that loads tsx costs
 * ~0.7 s of CPU and leaves an esbuild service process behind, which 50-wide runs feel.
 */
function useCompiledWorkers(name: string): boolean {
  return (
    process.env.ERGATE_WORKERS_FROM === 'dist' && existsSync(path.join(layoutRoot, 'dist', 'workers', `${name}.js`))
  );
}

/** Path of a bundled Python helper in python/ (shipped as-is in the package). */
export function pythonFile(name: string): string {
  return path.join(packageRoot, 'python', name);
}
