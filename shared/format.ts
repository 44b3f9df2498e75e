/** Sizes for people, in binary units (volume sizes and FAT32 limits are binary). One formatter for CLI, reports and UI. */
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

/**
 * Full sha256 digests (sha256:-prefixed or bare hex) inside a sentence, cut to their first 12 hex digits: a
 * sentence a person reads names a digest, the report beside it (or --json) carries the whole one.
 */
export function shortenDigests(text: string): string {
  return text.replace(/(sha256:)?\b([0-9a-f]{64})\b/g, (_d, prefix: string | undefined, hex: string) => `${prefix ?? ''}${hex.slice(0, 12)}…`);
}
