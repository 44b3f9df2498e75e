import type { ResponseOf } from '../../shared/api/contract';

/** How the release picker shows the update graph's versions: conditional ones marked with their risks. */
export type ListedRelease = ResponseOf<'release.list'>['releases'][number];

/** The option text: the version, and for one reached only by a conditional update, the risks' names. */
export function releaseOptionLabel(r: ListedRelease): string {
  if (!r.conditionalOnly) return r.version;
  const names = (r.risks ?? []).map((x) => x.name);
  return names.length ? `${r.version} — conditional update only (risk: ${names.join(', ')})` : `${r.version} — conditional update only`;
}

/** The risks to show for the chosen pullspec: every known risk of conditional updates to it. */
export function risksOfChoice(releases: readonly ListedRelease[], pullspec: string): { release: ListedRelease; risks: NonNullable<ListedRelease['risks']> } | undefined {
  const release = releases.find((r) => r.pullspec === pullspec);
  return release?.risks?.length ? { release, risks: release.risks } : undefined;
}
