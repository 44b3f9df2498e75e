/** Display formatting shared by every screen; binary units because volume sizes are given in MiB. */
export { formatBytes, formatDuration } from '../../shared/format';

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function shortDigest(digest: string): string {
  return digest.startsWith('sha256:') ? `sha256:${digest.slice(7, 19)}…` : digest;
}
