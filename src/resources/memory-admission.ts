// Decides whether the next waiting script may start under a memory budget. A running
// script counts as the larger of its latest sampled tree memory and its predicted peak; a
// candidate counts as its predicted peak (0 when unpredicted: a cold first wave starts).
// Invariant: with nothing running, the next script always starts, so a run never deadlocks.
import fs from 'node:fs';
import os from 'node:os';

/** Share of MemAvailable that `memoryBudgetMb: 'auto'` grants. */
export const AUTO_BUDGET_SHARE = 0.8;

interface Running {
  predictedKb: number;
  sampledKb: number;
}

export class MemoryAdmission {
  readonly budgetKb: number;
  readonly #running = new Map<object, Running>();

  constructor(budgetMb: number) {
    this.budgetKb = Math.round(budgetMb * 1024);
  }

  /** What the running scripts count for, in KiB. */
  get usageKb(): number {
    let sum = 0;
    for (const r of this.#running.values()) sum += Math.max(r.predictedKb, r.sampledKb);
    return sum;
  }

  /** Whether a script with this predicted peak fits now. */
  fits(predictedKb: number | null): boolean {
    if (this.#running.size === 0) return true;
    return this.usageKb + (predictedKb ?? 0) <= this.budgetKb;
  }

  started(key: object, predictedKb: number | null): void {
    this.#running.set(key, { predictedKb: predictedKb ?? 0, sampledKb: 0 });
  }

  sampled(key: object, treeKb: number): void {
    const r = this.#running.get(key);
    if (r) r.sampledKb = treeKb;
  }

  finished(key: object): void {
    this.#running.delete(key);
  }
}

/** MiB of the budget: a number as given, or 'auto' = a share of MemAvailable now. */
export function resolveMemoryBudgetMb(setting: number | 'auto'): number {
  if (setting !== 'auto') return setting;
  return Math.floor(((readMemAvailableKb() ?? os.freemem() / 1024) * AUTO_BUDGET_SHARE) / 1024);
}

/** MemAvailable from /proc/meminfo in KiB, or null where there is none. */
function readMemAvailableKb(): number | null {
  let text: string;
  try {
    text = fs.readFileSync('/proc/meminfo', 'latin1');
  } catch {
    return null;
  }
  const match = /^MemAvailable:\s+(\d+) kB/m.exec(text);
  return match ? Number(match[1]) : null;
}
