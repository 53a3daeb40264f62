// Loads ergate's own components for the "ours" variants. The bench is built alongside the
// components, so an export may be missing (or its module may not load yet): that becomes a
// NotAvailableError for the one variant, never a crash of the harness. With
// ERGATE_BENCH_OURS=dist (`npm run bench -- --dist`) the compiled dist/ is measured instead of
// the TypeScript sources, so worker threads start without loading tsx.
import { NotAvailableError } from './types.ts';

type OursModule = Record<string, unknown>;

let loaded: Promise<OursModule | Error> | undefined;

/** 'dist' or 'source', as chosen by ERGATE_BENCH_OURS. */
export function oursBuild(): 'dist' | 'source' {
  return process.env.ERGATE_BENCH_OURS === 'dist' ? 'dist' : 'source';
}

function loadIndex(): Promise<OursModule | Error> {
  const entry = oursBuild() === 'dist' ? '../../dist/src/index.js' : '../../src/index.ts';
  loaded ??= import(entry).then(
    (mod) => mod as OursModule,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  return loaded;
}

/** The named export of src/index.ts, or a NotAvailableError saying why it cannot be had. */
export async function requireOurs<T = any>(name: string): Promise<T> {
  const mod = await loadIndex();
  if (mod instanceof Error) throw new NotAvailableError(`ergate's index (${oursBuild()}) does not load: ${mod.message}`);
  const value = mod[name];
  if (value === undefined) throw new NotAvailableError(`ergate's index (${oursBuild()}) has no export ${name}`);
  return value as T;
}

/** Whether an export exists, for workloads that add optional variants. */
export async function hasOurs(name: string): Promise<boolean> {
  const mod = await loadIndex();
  return !(mod instanceof Error) && mod[name] !== undefined;
}
