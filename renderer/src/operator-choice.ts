import type { ResponseOf } from '../../shared/api/contract';
import { compareVersionStrings } from '../../shared/catalog/semver';
import type { OperatorChoice } from './journeys';

/**
 * What the operators step shows before any plan is made: which of a channel's versions a pick takes and
 * about how many bytes that is. Pure, so the estimate updates on every change without a call.
 */
export type ListedPackage = ResponseOf<'catalog.list'>['packages'][number];

/**
 * The versions (of `versions`, head first) a range takes, as the resolver reads NAME:CHANNEL@MIN..MAX
 * (shared/catalog/resolve.ts): no range, the head; only a newest, the newest at or below it; otherwise every
 * version in the range. The resolver may add bundles on the upgrade path; this is the estimate's floor.
 */
export function versionsInRange(versions: readonly string[], min: string, max: string): string[] {
  const atMost = (v: string) => !max || compareVersionStrings(v, max) <= 0;
  if (!min && !max) return versions.slice(0, 1);
  if (!min) {
    const newest = versions.filter(atMost).sort(compareVersionStrings).at(-1);
    return newest ? [newest] : [];
  }
  return versions.filter((v) => compareVersionStrings(v, min) >= 0 && atMost(v));
}

export interface Estimate {
  versions: string[];
  bytes: number;
  /** False when a size is missing or only a lower bound: the figure is then "at least". */
  known: boolean;
}

/** Bytes of the picked bundles with their related images, from a package listed with its sizes. */
export function estimate(pkg: ListedPackage | undefined, choice: OperatorChoice): Estimate | undefined {
  // An empty channel is the package's default one, as the resolver reads it.
  const channel = pkg?.channels.find((c) => c.name === (choice.channel || pkg.defaultChannel));
  if (!pkg || !channel) return undefined;
  const versions = versionsInRange(channel.versions, choice.min, choice.max);
  let bytes = 0;
  let known = pkg.bundles !== undefined;
  for (const v of versions) {
    const b = pkg.bundles?.find((x) => x.version === v);
    if (!b) known = false;
    else {
      bytes += b.withRelatedImages.bytes;
      known &&= b.withRelatedImages.known;
    }
  }
  return { versions, bytes, known };
}
