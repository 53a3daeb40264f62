// Loads ergate's own components for the "ours" variants. The bench is built alongside the
// components, so an export may be missing (or its module may not load yet): that becomes a
// NotAvailableError for the one variant, never a crash of the harness. With
// ERGATE_BENCH_OURS=dist (`npm run bench -- --dist`) the compiled dist/ is measured instead of
// the TypeScript sources, so worker threads start without loading tsx.
import { NotAvailableError } from './types.ts';

/** The index's exports, typed from the sources; dist/ is compiled from the same sources. */
type OursModule = typeof import('../../src/index.ts');
export type OursExport = keyof OursModule;

let loaded: Promise<OursModule | Error> | undefined;

/** 'dist' or 'source', as chosen by ERGATE_BENCH_OURS. */
export function oursBuild(): 'dist' | 'source' {
  return process.env.ERGATE_BENCH_OURS === 'dist' ? 'dist' : 'source';
}

function loadIndex(): Promise<OursModule | Error> {
  const entry = oursBuild() === 'dist' ? '../../dist/src/index.js' : '../../src/index.ts';
  loaded ??= (import(entry) as Promise<OursModule>).then(
    (mod) => mod,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  return loaded;
}

/** The named export of src/index.ts, or a NotAvailableError saying why it cannot be had. */
export async function requireOurs<K extends OursExport>(name: K): Promise<OursModule[K]> {
  const mod = await loadIndex();
  if (mod instanceof Error)
    throw new NotAvailableError(`ergate's index (${oursBuild()}) does not load: ${mod.message}`);
  // Checked at run time too: a dist/ built before an export was added lacks it.
  const value = mod[name] as OursModule[K] | undefined;
  if (value === undefined) throw new NotAvailableError(`ergate's index (${oursBuild()}) has no export ${name}`);
  return value;
}

/** Whether an export exists, for workloads that add optional variants. */
export async function hasOurs(name: OursExport): Promise<boolean> {
  const mod = await loadIndex();
  return !(mod instanceof Error) && mod[name] !== undefined;
}
