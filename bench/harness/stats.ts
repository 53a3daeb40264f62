// Summary statistics for a list of samples. The median, not the mean, is reported: on a shared
// two-core machine one slow run (another process compiling) must not move the headline number.

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function minimum(values: number[]): number | null {
  return values.length === 0 ? null : Math.min(...values);
}

export function maximum(values: number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

/** a / b, or null when either side is missing or b is zero. */
export function ratioOf(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  return a / b;
}

/** Median of each `extra` key across samples (a key missing from a sample is skipped). */
export function medianExtras(extras: Array<Record<string, number> | undefined>): Record<string, number> {
  const byKey = new Map<string, number[]>();
  for (const extra of extras) {
    for (const [key, value] of Object.entries(extra ?? {})) {
      if (!Number.isFinite(value)) continue;
      const list = byKey.get(key) ?? [];
      list.push(value);
      byKey.set(key, list);
    }
  }
  const out: Record<string, number> = {};
  for (const [key, list] of byKey) out[key] = median(list)!;
  return out;
}

/** Human number: 3 significant digits, no exponent for the ranges a bench produces. */
export function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}
