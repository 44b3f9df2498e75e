import type { ReleaseInfo, ReleaseSignatures, TransferManifest } from './manifest';

/**
 * Every release a transfer carries, the one way every consumer reads them (push tags, verify, the signature
 * ConfigMap, the summaries). transfer.json keeps the primary release (the newest, the one a cluster ends on) in
 * `release`/`releaseSignatures` and its component names on the images, as a single-release transfer always did,
 * and the other releases of an upgrade path in `releases`, so a transfer written before `releases` existed reads
 * as one release, unchanged.
 */
export interface CarriedRelease {
  release: ReleaseInfo;
  signatures?: ReleaseSignatures;
  primary: boolean;
  /** Its components as its image-references name them; an image named twice appears twice. */
  components: Array<{ name: string; digest: string }>;
}

/** In path order: the other releases as recorded, then the primary. */
export function carriedReleases(m: Pick<TransferManifest, 'release' | 'releaseSignatures' | 'releases' | 'images'>): CarriedRelease[] {
  const others: CarriedRelease[] = (m.releases ?? []).map((r) => ({
    release: r.release,
    ...(r.signatures ? { signatures: r.signatures } : {}),
    primary: false,
    components: Object.entries(r.components).map(([name, digest]) => ({ name, digest })),
  }));
  if (!m.release) return others;
  const components = m.images.filter((i) => i.role === 'component').flatMap((i) => (i.components ?? []).map((name) => ({ name, digest: i.digest })));
  return [...others, { release: m.release, ...(m.releaseSignatures ? { signatures: m.releaseSignatures } : {}), primary: true, components }];
}

/** One release an image belongs to, and its names there (a component's image-references names; none for the release image). */
export interface ReleaseMember {
  version: string;
  architecture: string;
  components?: readonly string[];
}

interface MemberSource {
  release: Pick<ReleaseInfo, 'version' | 'architecture' | 'digest'>;
  components: ReadonlyArray<{ name: string; digest: string }>;
}

/**
 * For each image digest, every release it belongs to: the release image to its own, a component to each release
 * that names it, under that release's names (z-streams share most components, sometimes renamed). Push tags each
 * `VERSION-ARCH[-NAME]` per release, so no tag is ever written with two digests.
 */
export function releaseMembers(releases: readonly MemberSource[]): Map<string, ReleaseMember[]> {
  const out = new Map<string, ReleaseMember[]>();
  const add = (digest: string, member: ReleaseMember) => out.set(digest, [...(out.get(digest) ?? []), member]);
  for (const { release, components } of releases) {
    const { version, architecture } = release;
    add(release.digest, { version, architecture });
    const names = new Map<string, string[]>();
    for (const c of components) names.set(c.digest, [...(names.get(c.digest) ?? []), c.name]);
    for (const [digest, list] of names) add(digest, { version, architecture, components: list });
  }
  return out;
}
