// Parses the CLI's human durations ("30s", "500ms", "2m", "1h", compounds such as "1m30s"
// or "1h 5m", or a bare number of seconds) into milliseconds. Returns null for anything
// else, so the caller can report a usage error that names the flag.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h)/giy;

export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  const bare = /^\d+(?:\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1_000 : null;
  const ms = bare ?? compound(trimmed);
  // Below 1 ms rounds to 0, which no timer takes: refused like any other non-duration.
  return ms !== null && Number.isFinite(ms) && Math.round(ms) >= 1 ? Math.round(ms) : null;
}

/** "1h5m30s", "1m 30s": each unit at most once, largest first. */
function compound(text: string): number | null {
  let ms = 0;
  let last = Infinity;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== start) return null;
    const unit = UNIT_MS[match[2].toLowerCase()];
    if (unit >= last) return null;
    last = unit;
    ms += Number(match[1]) * unit;
    while (text[PART.lastIndex] === ' ') PART.lastIndex += 1;
  }
  return last === Infinity ? null : ms;
}

/** "1.2 s", "850 ms", "2 m 05 s": short enough for one status line. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return `${minutes} m ${String(seconds).padStart(2, '0')} s`;
}
