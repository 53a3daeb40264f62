// Every workload the bench knows, in the order they run and appear in summary.md, plus the
// issue's numbering (1-6) as aliases so `npm run bench -- 5` runs both async workloads.
import type { Workload } from '../harness/types.ts';
import { failFastWorkload } from './fail-fast.ts';
import { growthWorkload } from './growth.ts';
import { heavyImportsWorkload } from './heavy-imports.ts';
import { memoryPendingWorkload } from './memory-pending.ts';
import { memorySlotWorkload } from './memory-slot.ts';
import { runFunctionWorkload } from './run-function.ts';
import { moduleProxyWorkload } from './module-proxy.ts';
import { schedulerWorkload } from './scheduler.ts';
import { scriptsWorkload } from './scripts.ts';
import { scriptCpuWorkload } from './script-cpu.ts';
import { taskGroupWorkload } from './task-group.ts';
import { distributedWorkload } from '../distributed.ts';
import { resourcesMakespanWorkload } from './resources-makespan.ts';
import { resourcesMemoryMixWorkload } from './resources-memory-mix.ts';
import { resourcesSamplingCostWorkload } from './resources-sampling-cost.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each workload has its own state type
export const workloads: Workload<any>[] = [
  scriptsWorkload,
  scriptCpuWorkload,
  growthWorkload,
  failFastWorkload,
  runFunctionWorkload,
  moduleProxyWorkload,
  schedulerWorkload,
  taskGroupWorkload,
  memorySlotWorkload,
  memoryPendingWorkload,
  heavyImportsWorkload,
  distributedWorkload,
  resourcesMakespanWorkload,
  resourcesMemoryMixWorkload,
  resourcesSamplingCostWorkload,
];

const aliases: Record<string, string[]> = {
  '1': ['scripts'],
  '28': ['scripts', 'script-cpu'],
  '2': ['growth'],
  '3': ['fail-fast'],
  '4': ['run-function', 'module-proxy'],
  '5': ['scheduler', 'task-group'],
  '6': ['memory-slot', 'memory-pending'],
  memory: ['memory-slot', 'memory-pending'],
  '7': ['scripts', 'heavy-imports'],
  '9': ['distributed'],
  '18': ['resources-makespan', 'resources-memory-mix', 'resources-sampling-cost'],
  resources: ['resources-makespan', 'resources-memory-mix', 'resources-sampling-cost'],
};

/** The workloads named (by name or alias), in registry order; all of them when none is named. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export function selectWorkloads(names: string[]): Workload<any>[] {
  if (names.length === 0) return workloads;
  const wanted = new Set<string>();
  for (const name of names) {
    const expanded = aliases[name] ?? [name];
    for (const n of expanded) {
      if (!workloads.some((w) => w.name === n)) {
        throw new Error(`unknown workload '${name}'; known: ${workloads.map((w) => w.name).join(', ')} (or 1-6)`);
      }
      wanted.add(n);
    }
  }
  return workloads.filter((w) => wanted.has(w.name));
}
