// Locates a thread entry in workers/ for the layout ergate runs from: compiled dist/ (plain
// .js, loaded directly) or TypeScript sources under tsx or vitest (loaded through
// workers/ts-bootstrap.mjs, since worker threads do not inherit the parent's tsx loader).
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

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

/** @param name worker module name without extension, e.g. 'supervisor' for workers/supervisor.ts */
export function workerFile(name: string): WorkerEntry {
  if (runningFromSource) {
    return {
      filename: pathToFileURL(path.join(layoutRoot, 'workers', 'ts-bootstrap.mjs')).href,
      workerData: { tsTarget: pathToFileURL(path.join(layoutRoot, 'workers', `${name}.ts`)).href },
    };
  }
  return { filename: pathToFileURL(path.join(layoutRoot, 'workers', `${name}.js`)).href, workerData: {} };
}

/** Path of a bundled Python helper in python/ (shipped as-is in the package). */
export function pythonFile(name: string): string {
  return path.join(packageRoot, 'python', name);
}
