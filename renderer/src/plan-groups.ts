import type { ResponseOf } from '../../shared/api/contract';

/**
 * The export plan as an operator reads it: images in groups (the release with its components, signature
 * artifacts, operator catalogs with their bundles, related images and filtered catalog; extra images), each with its totals, and where each
 * group's bytes land in the volume files. Pure data, shared by the plan table and its picture.
 */
export type Plan = ResponseOf<'plan.export'>;
export type PlanImage = Plan['images'][number];

export interface GroupKind {
  id: string;
  title: string;
  /** CSS custom property the picture fills this group's bytes with (defined for light and dark). */
  color: string;
  /** Big groups start folded: their totals say enough until the operator looks inside. */
  collapsed: boolean;
  matches: (image: PlanImage) => boolean;
}

/** First match wins; a new kind of content (an operator catalog, say) is one more entry here. */
export const GROUP_KINDS: readonly GroupKind[] = [
  { id: 'signatures', title: 'Signature artifacts', color: '--chart-3', collapsed: true, matches: (i) => i.signatureArtifact === true },
  { id: 'release', title: 'Release', color: '--chart-1', collapsed: true, matches: (i) => i.role === 'release' || i.role === 'component' },
  { id: 'catalog', title: 'Operator catalogs', color: '--chart-4', collapsed: false, matches: (i) => i.catalog !== undefined },
  { id: 'extra', title: 'Extra images', color: '--chart-2', collapsed: false, matches: (i) => i.role === 'extra' },
];

export interface PlanGroup {
  kind: GroupKind;
  images: PlanImage[];
  /** Each image's own blob bytes summed (an image's bytes counted with every image that has them). */
  bytes: number;
  /** What this group adds to the media: blobs no earlier image carries. Summed over groups: every blob once. */
  uniqueBytes: number;
  /** Volume file name → this group's blob bytes in it. */
  perVolume: Map<string, number>;
}

/** The plan's images in GROUP_KINDS order; kinds with no image are left out. */
export function groupPlan(images: readonly PlanImage[], kinds: readonly GroupKind[] = GROUP_KINDS): PlanGroup[] {
  const groups = kinds.map((kind): PlanGroup => ({ kind, images: [], bytes: 0, uniqueBytes: 0, perVolume: new Map() }));
  for (const image of images) {
    const group = groups[kinds.findIndex((k) => k.matches(image))];
    if (!group) throw new Error(`No plan group takes ${image.source} (role ${image.role}): add a group kind for it.`);
    group.images.push(image);
    group.bytes += image.bytes;
    for (const w of image.written) {
      group.uniqueBytes += w.bytes;
      group.perVolume.set(w.volume, (group.perVolume.get(w.volume) ?? 0) + w.bytes);
    }
  }
  return groups.filter((g) => g.images.length > 0);
}

/** Every whitespace-separated term must appear (any case) in the reference, the digest or a component name. */
export function matchesQuery(image: PlanImage, query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const text = [image.source, image.digest, ...(image.components ?? [])].join(' ').toLowerCase();
  return terms.every((t) => text.includes(t));
}

export interface VolumeFill {
  name: string;
  /** The file as the writer produces it. */
  size: number;
  /** The most a volume file may hold. */
  capacity: number;
  /** Bytes per group, in group order (0 where the group has nothing in this file). */
  groups: Array<{ id: string; bytes: number }>;
  /** Tar headers, padding and the OCI index files: the rest of the file. */
  overhead: number;
}

/** Each volume file split by group; the parts add up to the file's size, so the picture is the file. */
export function volumeFills(plan: Plan, groups: readonly PlanGroup[]): VolumeFill[] {
  return plan.volumes.files.map((f) => {
    const parts = groups.map((g) => ({ id: g.kind.id, bytes: g.perVolume.get(f.name) ?? 0 }));
    const payload = parts.reduce((n, p) => n + p.bytes, 0);
    return { name: f.name, size: f.size, capacity: plan.volumes.volumeSize, groups: parts, overhead: Math.max(f.size - payload, 0) };
  });
}

/** A reference with its digest shortened, the repository kept whole: what tells images apart at a glance. */
export function shortReference(source: string): string {
  return source.replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, '@sha256:$1…');
}
