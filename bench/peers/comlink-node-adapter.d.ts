// Types for comlink's Node adapter, which ships them as node-adapter.d.ts beside an .mjs file
// that TypeScript does not pair with them.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  export default function nodeEndpoint(
    nep: import('node:worker_threads').Worker | import('node:worker_threads').MessagePort,
  ): Endpoint;
}
