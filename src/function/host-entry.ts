// Where function hosts are loaded from, for threads and child processes alike. From dist/
// the compiled .js host runs as-is; from TypeScript sources (tsx, vitest) the host, and any
// .ts module a FunctionRef names, needs the tsx loader, which threads and children do not
// inherit from the parent. tsx is resolved only when running from source: the installed
// package (dist/) never looks for it.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { runningFromSource, workerFile } from '../internal/worker-file.ts';

/** Absolute path of workers/<name>.ts (from source) or workers/<name>.js (from dist/). */
export function hostPath(name: string): string {
  return workerFile(name);
}

let tsxPaths: { loader: string; api: string } | null | undefined;

/** tsx's loader (what `--import tsx` loads, for child processes) and its register API (for threads). */
function resolveTsx(): { loader: string; api: string } | null {
  if (tsxPaths === undefined) {
    // From dist/ (the installed package) tsx is never looked for: users do not have it.
    if (!runningFromSource) return (tsxPaths = null);
    const require = createRequire(import.meta.url);
    // The ESM build of the register API (the CommonJS one fails to locate its ESM half).
    const api = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    tsxPaths = { loader: pathToFileURL(require.resolve('tsx')).href, api };
  }
  return tsxPaths;
}

/** file URL of tsx's ESM register API when running from source, else null. */
export function tsxApiPath(): string | null {
  return resolveTsx()?.api ?? null;
}

/** node flags a child host needs to load .ts sources. */
export function loaderExecArgv(): string[] {
  const tsx = resolveTsx();
  return tsx === null ? [] : ['--import', tsx.loader];
}

/**
 * Worker source for a thread host: registers tsx inside the thread when needed (tsx's
 * --import entry does nothing off the main thread), then imports workerData.hostUrl.
 * A failure here is a start-up death.
 */
export const THREAD_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  await import(workerData.hostUrl);
})().catch((error) => { setImmediate(() => { throw error; }); });
`;
