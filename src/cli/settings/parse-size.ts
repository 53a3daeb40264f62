// Parses the CLI's memory sizes ("512M", "2G", "1.5g", "512MiB", or a bare number of MiB)
// into MiB. Returns null for anything else, so the caller can name the flag in its error.

const UNIT_MIB: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

export function parseMemoryMb(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt])?(?:i?b)?\s*$/i.exec(text);
  if (!match) return null;
  const mib = Number(match[1]) * UNIT_MIB[(match[2] ?? 'm').toLowerCase()];
  return Number.isFinite(mib) && mib >= 1 ? Math.round(mib) : null;
}
