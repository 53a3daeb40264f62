// Entry of every pool thread when ergate runs from its TypeScript sources (tsx, vitest):
// registers tsx inside the thread, then re-exports the real worker module named in
// workerData.tsTarget. From dist/ the compiled .js workers are loaded directly instead.
import { register } from 'tsx/esm/api';
import { workerData } from 'piscina';

register();
const mod = await import(workerData.tsTarget);
export default mod.default;
