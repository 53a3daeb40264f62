// Owns what a run's plan hands to whoever runs its scripts: a ScriptRef (what events and
// reports name a script by, cheap) and a PlannedScript (its spec, built only as it starts).
// Below the runners and src/distributed, so a backend reads a plan without importing a runner.
import type { ScriptSpec } from '../script/types.ts';

/** What events and reports name a script by; cheap, no spec. */
export interface ScriptRef {
  index: number;
  /** absolute path */
  script: string;
  name: string;
}

export interface PlannedScript extends ScriptRef {
  /** null when the script cannot be run at all; `error` then says why */
  spec: ScriptSpec | null;
  error: string | null;
  retries: number;
}
