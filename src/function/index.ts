// Function isolation subsystem: runFunction and its pools. Re-exported by src/index.ts.
export { runFunction, closeFunctionPool } from './run-function.ts';
export { wrapModule, FunctionCallError, type ModuleProxy, type WrapModuleOptions } from './wrap-module.ts';
export type { FunctionRef, RunFunctionOptions, FunctionResult, FunctionStatus } from './types.ts';
