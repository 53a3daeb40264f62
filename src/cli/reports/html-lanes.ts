// The timeline's rows: one per slot that ran something (per worker and slot with --redis),
// ordered by worker, then slot number, with runs that never got a slot (a missing file, a
// script cancelled while queued) in one last row. Keys are JSON [worker | null, slot | null].

export interface Lane {
  key: string;
  label: string;
  worker: string | null;
}

export function laneOrder(keys: Iterable<string>): Lane[] {
  const parsed = [...new Set(keys)].map((key) => {
    const [worker, slot] = JSON.parse(key) as [string | null, number | null];
    return { key, worker, slot };
  });
  parsed.sort(
    (a, b) =>
      Number(a.slot === null) - Number(b.slot === null) ||
      (a.worker ?? '').localeCompare(b.worker ?? '') ||
      (a.slot ?? 0) - (b.slot ?? 0),
  );
  return parsed.map(({ key, worker, slot }) => ({ key, label: labelOf(worker, slot), worker }));
}

function labelOf(worker: string | null, slot: number | null): string {
  if (slot === null) return worker === null ? 'no slot' : `${worker} (no slot)`;
  return worker === null ? `slot ${slot + 1}` : `${worker} · slot ${slot + 1}`;
}
