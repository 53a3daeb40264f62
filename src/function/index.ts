// Function isolation subsystem: runFunction and its pools. Re-exported by src/index.ts.
export { runFunction, closeFunctionPool } from './run-function.ts';
export type { FunctionRef, RunFunctionOptions, FunctionResult, FunctionStatus } from './types.ts';
