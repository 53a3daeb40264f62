// comlink's side of the module-proxy peer: one worker thread exposes the tiny `add` over its
// parentPort with comlink's Node adapter.
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { add } from './tiny-worker.mjs';

expose({ add }, nodeEndpoint(parentPort));
