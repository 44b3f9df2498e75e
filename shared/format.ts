/** Sizes for people and from people, in binary units (volume sizes and FAT32 limits are binary). One formatter and one parser for CLI, jobs, reports and UI. */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${UNITS[i]}`;
}

/** A duration for people: `42s`, `3m 05s`, `1h 20m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

/** `--volume-size 4000M`, `2G`, `512K`, or a plain byte count. Binary multiples, as FAT32 limits are. */
export function parseSize(input: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B)?$/i.exec(input.trim());
  if (!m) throw new Error(`"${input}" is not a size; use e.g. 4000M, 2G or 512K`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  const bytes = Math.floor(Number(m[1]) * mult);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error(`"${input}" is not a usable size`);
  return bytes;
}

/**
 * Full sha256 digests (sha256:-prefixed or bare hex) inside a sentence, cut to their first 12 hex digits: a
 * sentence a person reads names a digest, the report beside it (or --json) carries the whole one.
 */
export function shortenDigests(text: string): string {
  return text.replace(/(sha256:)?\b([0-9a-f]{64})\b/g, (_d, prefix: string | undefined, hex: string) => `${prefix ?? ''}${hex.slice(0, 12)}…`);
}
