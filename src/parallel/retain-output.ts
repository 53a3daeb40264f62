// Owns the retainOutput option: how much of a finished script's output a kept result holds
// (runScripts keeps every result until the run ends). 'all' (the default) keeps everything,
// 'failed' empties stdout and stderr of passed scripts, 'none' of every script.
import { withoutOutput } from '../script/script-result.ts';
import type { ScriptResult } from '../script/types.ts';

export type RetainOutput = 'all' | 'failed' | 'none';

export function retainOutput(result: ScriptResult, retain: RetainOutput): ScriptResult {
  if (retain === 'all' || (retain === 'failed' && result.status !== 'passed')) return result;
  return withoutOutput(result);
}
