// Locates a thread entry in workers/ for the layout ergate runs from: compiled dist/ (plain
// .js, loaded directly) or TypeScript sources under tsx or vitest (loaded through
// workers/ts-bootstrap.mjs, since worker threads do not inherit the parent's tsx loader).
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';

const here = path.dirname(fileURLToPath(import.meta.url));
/** true when this module itself is TypeScript source (tsx / vitest), false from dist/. */
export const runningFromSource = import.meta.url.endsWith('.ts');
/** Repository (or installed package) root: src/internal -> root, dist/src/internal -> dist. */
const layoutRoot = path.resolve(here, '..', '..');
/** Package root, where python/ and package.json live. */
export const packageRoot = runningFromSource ? layoutRoot : path.resolve(layoutRoot, '..');

export interface WorkerEntry {
  /** file URL to give piscina as `filename` */
  filename: string;
  /** merge into piscina's `workerData` */
  workerData: { tsTarget?: string };
}

/** @param name worker module name without extension, e.g. 'function-host' for workers/function-host.ts */
export function workerFile(name: string): WorkerEntry {
  if (runningFromSource && !useCompiledWorkers(name)) {
    return {
      filename: pathToFileURL(path.join(layoutRoot, 'workers', 'ts-bootstrap.mjs')).href,
      workerData: { tsTarget: pathToFileURL(path.join(layoutRoot, 'workers', `${name}.ts`)).href },
    };
  }
  const compiledRoot = runningFromSource ? path.join(layoutRoot, 'dist') : layoutRoot;
  return { filename: pathToFileURL(path.join(compiledRoot, 'workers', `${name}.js`)).href, workerData: {} };
}

/**
 * ERGATE_WORKERS_FROM=dist makes a source checkout load its thread entries from a fresh
 * `npm run build` (the test suite sets it after building): a thread that loads tsx costs
 * ~0.7 s of CPU and leaves an esbuild service process behind, which 50-wide runs feel.
 */
function useCompiledWorkers(name: string): boolean {
  return process.env.ERGATE_WORKERS_FROM === 'dist' && existsSync(path.join(layoutRoot, 'dist', 'workers', `${name}.js`));
}

/** Path of a bundled Python helper in python/ (shipped as-is in the package). */
export function pythonFile(name: string): string {
  return path.join(packageRoot, 'python', name);
}
