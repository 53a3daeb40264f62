// Public entry of ergate: everything in ../shared/API.md is exported from here.
// Each section is owned by one subsystem folder; keep exports grouped by section.

// --- Scripts (src/script/) ---
export type { RunScriptOptions, ScriptResult, ScriptStatus, StartMethod, ErgateLogger } from './script/types.ts';

// --- Functions (src/function/) ---

// --- Parallel and batch (src/parallel/) ---

// --- Async tasks (src/task/) ---

// --- Scheduler (src/scheduler/) ---
