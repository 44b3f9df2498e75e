import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { FerryError } from '../../../shared/errors';
import type { ImageRole } from '../../../shared/mirror-mapping';
import { formatReference, parseReference, withDigest, type ImageReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerSource } from '../copy/docker';
import type { ImageSource } from '../copy/types';
import { isSignatureArtifactTag, signatureArtifacts, type ArtifactRequest, type ArtifactSubject } from './signature-artifacts';
import type { FetchedManifest } from '../registry/client';
import { formatPlatform, parseManifest, type Descriptor } from '../registry/manifest';
import { resolveRelease, type ResolvedRelease } from '../release/resolve';
import { releaseSignatures, type SignatureOptions } from '../release-signatures/release-signatures';
import type { FailedImage, ReleaseSignatures, TransferCatalog, TransferGraph } from '../../../shared/transfer/manifest';
import { releaseMembers, type ReleaseMember } from '../../../shared/transfer/carried-releases';
import { imageFailure, type FailurePolicy } from './keep-going';

/**
 * The image set of a transfer and everything known about it before a byte of layer data moves: every
 * manifest (fetched, digest-checked), every blob with its size, totals before and after dedupe. Mirror
 * to disk writes exactly this; `release info` and `--dry-run` print it.
 */
export interface ImageRequest {
  /** The reference clusters know (after resolution: pinned by digest for components). */
  ref: ImageReference;
  role: ImageRole;
  /** For a release component: its image-references names. */
  components?: string[];
}

export interface PlannedManifest {
  manifest: FetchedManifest;
  platform?: string;
  blobs: Descriptor[];
}

/** A blob Ferry made itself: its bytes, or the file in the engine context's scratch directory that holds them. */
export type GeneratedBlob = Buffer | { file: string };

export interface PlannedImage {
  /** `formatReference(ref)`: the name recorded in transfer.json and the OCI index. */
  source: string;
  ref: ImageReference;
  role: ImageRole;
  /** For a release component: its image-references names (the mirror tags it gets). */
  components?: string[];
  /** A release image or component: every release of the plan it belongs to, with its names there. */
  releases?: ReleaseMember[];
  digest: string;
  mediaType: string;
  root: FetchedManifest;
  /** The image manifests: the root itself, or every child of an index. */
  images: PlannedManifest[];
  /** Sum of this image's blob sizes (each blob once within the image). */
  bytes: number;
  /** Blobs Ferry made itself (a filtered catalog's configs and layers), by digest: served from here, not the registry. */
  generated?: ReadonlyMap<string, GeneratedBlob>;
  /** Where its other blobs are, when not in `ref`'s repository: the image a generated one is built on. */
  layersFrom?: ImageReference;
}

/** A release carried beside the primary one, with its verified signatures when they were asked for. */
export interface OtherRelease {
  release: ResolvedRelease;
  signatures?: ReleaseSignatures;
}

export interface TransferPlan {
  /** The primary release: the newest of an upgrade path, the one a cluster ends on. */
  release?: ResolvedRelease;
  /** The other releases of an upgrade path, in path order (PlanInput.releases). */
  otherReleases?: OtherRelease[];
  images: PlannedImage[];
  /** Blob bytes summed per image, as separate copies (what skopeo would move). */
  totalBytes: number;
  /** Every blob once. */
  uniqueBytes: number;
  uniqueBlobs: number;
  /** With `signatures` asked for: the release's verified signatures and any warning about them. */
  releaseSignatures?: ReleaseSignatures;
  /** Operator catalogs: what was selected and the filtered catalog image (one of `images`). */
  catalogs?: TransferCatalog[];
  /** The update service's graph-data image (one of `images`). */
  graph?: TransferGraph;
  /** Images asked for that could not be planned and were left out (keep going), in the order asked. */
  failed?: FailedImage[];
  /** The `retried` references asked for (PlanInput): planned after the others. */
  retried?: string[];
}

/**
 * Reads a list file: one entry per line; blank lines and `#` comments ignored; `check` throws a FerryError for
 * a bad entry, reported with its line.
 */
export async function readListFile(path: string, what: string, check: (line: string) => void): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new FerryError('INVALID_INPUT', `Cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, {
      hint: `Give a text file with one ${what === 'image list' ? 'image reference' : 'entry'} per line.`,
    });
  }
  const lines: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    try {
      check(line);
    } catch (e) {
      throw new FerryError('INVALID_INPUT', `${path}, line ${i + 1}: ${(e as FerryError).message}`, { hint: (e as FerryError).hint ?? 'Fix the entry on that line.' });
    }
    lines.push(line);
  });
  return lines;
}

/** Reads `--image-list FILE`: one reference per line; blank lines and `#` comments ignored. */
export function readImageList(path: string): Promise<string[]> {
  return readListFile(path, 'image list', (line) => void parseReference(line));
}

/**
 * The release's own image, then its components (each digest once), then those of the other releases that it does not
 * share, then the extra images. `components` are the names in `release`, the primary one.
 */
export function imageRequests(release: ResolvedRelease | undefined, extras: readonly string[], others: readonly ResolvedRelease[] = []): ImageRequest[] {
  const out: ImageRequest[] = [];
  const seen = new Map<string, ImageRequest>();
  const add = (ref: ImageReference, role: ImageRole, component?: string) => {
    const key = formatReference(ref);
    const known = seen.get(key);
    if (known) {
      if (component && known.components) known.components.push(component);
      return;
    }
    const req: ImageRequest = { ref, role, ...(component ? { components: [component] } : {}) };
    seen.set(key, req);
    out.push(req);
  };
  if (release) {
    add(release.source, 'release');
    for (const c of release.components) add(c.source, 'component', c.name);
  }
  for (const other of others) {
    add(other.source, 'release');
    for (const c of other.components) add(c.source, 'component');
  }
  for (const e of extras) add(parseReference(e), 'extra');
  return out;
}

function planManifest(manifest: FetchedManifest, where: string, platform?: string): PlannedManifest {
  const parsed = parseManifest(manifest.bytes, manifest.mediaType, where);
  if (parsed.kind !== 'image') {
    throw new FerryError('UNSUPPORTED', `${where} is a ${parsed.mediaType} manifest, which Ferry cannot transfer.`, {
      hint: 'Docker schema 1 images (and nested indexes) are not supported; re-push the image with a current tool.',
    });
  }
  return { manifest: { ...manifest, mediaType: parsed.mediaType }, ...(platform ? { platform } : {}), blobs: [parsed.config, ...parsed.layers] };
}

/** `given`: a root not fetchable by reference (the referrers API's answer). */
async function planImage(ctx: EngineContext, req: ImageRequest, given?: FetchedManifest): Promise<PlannedImage> {
  const src = new DockerSource(ctx, req.ref);
  const root = given ?? (await src.getManifest(undefined, ctx.signal));
  const parsed = parseManifest(root.bytes, root.mediaType, src.name);
  let images: PlannedManifest[];
  if (parsed.kind === 'index') {
    images = await Promise.all(
      parsed.manifests.map(async (m) => planManifest(await src.getManifest(m.digest, ctx.signal), `${src.name}@${m.digest}`, m.platform ? formatPlatform(m.platform) : undefined)),
    );
  } else {
    images = [planManifest(root, src.name)];
  }
  const unique = new Map<string, number>();
  for (const img of images) for (const b of img.blobs) unique.set(b.digest, b.size);
  // A tag reference is recorded with the digest it resolved to, so the transfer names exactly what it holds.
  const ref = req.ref.digest ? req.ref : { ...req.ref, digest: root.digest };
  // A signature artifact keeps its tag: it is how clients find it beside the image.
  const byDigest = req.role === 'component' && !isSignatureArtifactTag(req.ref.tag);
  return {
    source: formatReference(byDigest ? withDigest(ref, root.digest) : ref),
    ref,
    role: req.role,
    ...(req.components ? { components: req.components } : {}),
    digest: root.digest,
    mediaType: parsed.mediaType,
    root: { ...root, mediaType: parsed.mediaType },
    images,
    bytes: [...unique.values()].reduce((n, s) => n + s, 0),
  };
}

/** The signature artifacts of a digest: their tags and the referrers API need only the digest, not the manifest. */
function findArtifacts(ctx: EngineContext, subject: ArtifactSubject): Promise<ArtifactRequest[]> {
  return ctx.checks(() => signatureArtifacts(ctx, subject));
}

/** The signature artifacts beside a planned image (`found` if already being looked up), planned as images of their own. */
async function planArtifacts(ctx: EngineContext, image: PlannedImage, found?: Promise<ArtifactRequest[]>): Promise<PlannedImage[]> {
  const requests = await (found ?? findArtifacts(ctx, { ref: image.ref, role: image.role, digest: image.digest }));
  return Promise.all(requests.map((req) => ctx.checks(() => planImage(ctx, req, req.root))));
}

/**
 * A planned image as a copy source: its manifests from the plan (already fetched and digest-checked, and
 * for a referrers index not fetchable by name), its blobs from the registry, or from the plan when Ferry made them.
 */
export function plannedSource(ctx: EngineContext, image: PlannedImage): ImageSource {
  const registry = new DockerSource(ctx, image.layersFrom ?? image.ref);
  const manifests = new Map([image.root, ...image.images.map((m) => m.manifest)].map((m) => [m.digest, m]));
  return {
    name: registry.name,
    location: registry.location,
    getManifest: (digest, signal) => {
      const known = manifests.get(digest ?? image.digest);
      return known ? Promise.resolve(known) : registry.getManifest(digest, signal);
    },
    openBlob: (blob, opts) => {
      const made = image.generated?.get(blob.digest);
      if (!made) return registry.openBlob(blob, opts);
      return Promise.resolve(Buffer.isBuffer(made) ? Readable.from([made]) : createReadStream(made.file));
    },
  };
}

export interface PlanInput extends FailurePolicy {
  release?: string;
  /** The other releases of an upgrade path, carried with `release`, in path order; each planned once, shared content once. */
  releases?: readonly string[];
  arch?: string;
  images?: readonly string[];
  signatures?: SignatureOptions;
  /** Images Ferry made itself (filtered catalogs): carried after the images asked for. */
  generated?: readonly PlannedImage[];
  /**
   * References (as `formatReference` writes them) that failed in the partial transfer a rerun completes: they
   * are planned after every other image, so the images already carried keep their places on the media.
   */
  retried?: readonly string[];
  /** Images the interrupted run this one resumes left out: left out again with the same failure, not asked for. */
  leftOut?: readonly FailedImage[];
  /** Called with each image asked for as soon as its manifests are known (a head start for its blobs: head-start.ts). */
  onPlanned?: (image: PlannedImage) => void;
}

/**
 * Manifests are small; fetching them all first gives exact totals before any layer moves. An image that may
 * fail alone (keep-going.ts) and cannot be planned is left out and listed in `failed`.
 */
export async function planTransfer(ctx: EngineContext, input: PlanInput): Promise<TransferPlan> {
  // A release's components are planned --parallel at a time or more, and their blobs begin to download meanwhile
  // (head-start.ts): its registry opens that many connections at once rather than one handshake per request.
  for (const pullspec of input.release ? [input.release, ...(input.releases ?? [])] : []) {
    void ctx.registry(ctx.resolveSource(parseReference(pullspec)).registry).warm(ctx.options.parallel, ctx.signal);
  }
  // A release image is planned from the manifest its resolution fetched, as soon as that arrives: its blobs (the
  // payload's base layers) get their head start while the payload is read, round trips before any component is known.
  const releaseImages = new Map<string, Promise<PlannedImage>>();
  const resolve = (pullspec: string) =>
    resolveRelease(ctx, pullspec, {
      ...(input.arch ? { arch: input.arch } : {}),
      onManifest: (source, manifest) => {
        const planned = ctx.checks(() => planImage(ctx, { ref: source, role: 'release' }, manifest));
        planned.then(input.onPlanned, () => undefined);
        releaseImages.set(formatReference(source), planned);
      },
    });
  const [release, ...others] = await Promise.all([input.release ? resolve(input.release) : undefined, ...(input.release ? (input.releases ?? []) : []).map(resolve)]);
  const requests = imageRequests(release, input.images ?? [], others as ResolvedRelease[]);
  if (requests.length === 0 && !input.generated?.length) throw new FerryError('USAGE', 'Nothing to transfer.', { hint: 'Give --release and/or --image / --image-list.' });
  const failures = new Map<ImageRequest, FailedImage>();
  const errors: unknown[] = [];
  const leftOut = new Map((input.leftOut ?? []).map((f) => [f.ref, f]));
  // Planning is small requests only (manifests, tag checks), bound by round trips, not bandwidth: it takes the
  // request limiter, and each image's artifact checks follow its manifest at once rather than after every image's.
  const plan = async (req: ImageRequest): Promise<{ image: PlannedImage; artifacts: PlannedImage[] } | undefined> => {
    const before = leftOut.get(formatReference(req.ref));
    if (before?.role === req.role) {
      failures.set(req, before);
      errors.push(new FerryError(before.code as FerryError['code'], before.message));
      return undefined;
    }
    // A reference pinned by digest (every release component) has its artifacts looked up beside its manifest rather
    // than after it: a round trip less per image, and planning is round trips. Unused if the image fails.
    const artifacts = req.ref.digest ? findArtifacts(ctx, { ref: req.ref, role: req.role, digest: req.ref.digest }) : undefined;
    artifacts?.catch(() => undefined);
    const early = req.role === 'release' ? releaseImages.get(formatReference(req.ref)) : undefined;
    let image: PlannedImage;
    try {
      image = await (early ?? ctx.checks(() => planImage(ctx, req)));
    } catch (e) {
      const failed = imageFailure(formatReference(req.ref), req.role, e, input);
      if (!failed) throw e;
      failures.set(req, failed);
      errors.push(e);
      return undefined;
    }
    if (!early) input.onPlanned?.(image);
    return { image, artifacts: await planArtifacts(ctx, image, artifacts) };
  };
  const retried = new Set(input.retried ?? []);
  const last = requests.filter((r) => retried.has(formatReference(r.ref)));
  const groups = [requests.filter((r) => !last.includes(r)), last];
  const planGroups = async () => {
    const images: PlannedImage[] = [];
    const seen = new Set<string>();
    for (const group of groups) {
      const planned = (await Promise.all(group.map(plan))).filter((p) => p !== undefined);
      for (const p of planned) {
        images.push(p.image);
        seen.add(p.image.source);
      }
      // Each artifact once, in the order of the images beside which it was found.
      for (const a of planned.flatMap((p) => p.artifacts)) {
        if (seen.has(a.source)) continue;
        seen.add(a.source);
        images.push(a);
      }
    }
    return images;
  };
  const signaturesOf = (r: ResolvedRelease) => (input.signatures ? releaseSignatures(ctx, r.digest, input.signatures) : undefined);
  const [asked, signatures, ...otherSignatures] = await Promise.all([planGroups(), release && signaturesOf(release), ...(others as ResolvedRelease[]).map(signaturesOf)]);
  const otherReleases = (others as ResolvedRelease[]).map((r, i) => ({ release: r, ...(otherSignatures[i] ? { signatures: otherSignatures[i] } : {}) }));
  if (otherReleases.length) {
    const members = releaseMembers([...otherReleases.map((o) => o.release), ...(release ? [release] : [])].map(membersSource));
    for (const image of asked) if (image.role !== 'extra' && members.has(image.digest)) image.releases = members.get(image.digest)!;
  }
  const images = [...asked, ...(input.generated ?? [])];
  const failed = requests.flatMap((r) => failures.get(r) ?? []);
  // Every image failed: an empty transfer would carry nothing, so the run fails as one image alone would.
  if (images.length === 0) throw failed.length === 1 ? errors[0] : nothingPlanned(failed);
  const unique = new Map<string, number>();
  for (const img of images) for (const m of img.images) for (const b of m.blobs) unique.set(b.digest, b.size);
  return {
    ...(release ? { release } : {}),
    ...(otherReleases.length ? { otherReleases } : {}),
    images,
    totalBytes: images.reduce((n, i) => n + i.bytes, 0),
    uniqueBytes: [...unique.values()].reduce((n, s) => n + s, 0),
    uniqueBlobs: unique.size,
    ...(signatures ? { releaseSignatures: signatures } : {}),
    ...(failed.length ? { failed } : {}),
    ...(last.length ? { retried: last.map((r) => formatReference(r.ref)) } : {}),
  };
}

/** Every release of the plan in path order, the primary last (as carriedReleases reads them back from transfer.json). */
export function plannedReleases(plan: Pick<TransferPlan, 'release' | 'releaseSignatures' | 'otherReleases'>): Array<OtherRelease & { primary: boolean }> {
  return [
    ...(plan.otherReleases ?? []).map((o) => ({ ...o, primary: false })),
    ...(plan.release ? [{ release: plan.release, ...(plan.releaseSignatures ? { signatures: plan.releaseSignatures } : {}), primary: true }] : []),
  ];
}

/** A resolved release as releaseMembers reads one. */
export function membersSource(r: ResolvedRelease) {
  return { release: r, components: r.components.map((c) => ({ name: c.name, digest: c.source.digest })) };
}

function nothingPlanned(failed: readonly FailedImage[]): FerryError {
  const first = failed[0]!;
  return new FerryError(first.code as FerryError['code'], `None of the ${failed.length} images could be fetched:\n${failed.map((f) => `  ${f.ref}: ${f.message}`).join('\n')}`, {
    hint: 'Check the references and the credentials for their registries.',
    details: { failed: failed.map((f) => ({ ref: f.ref, code: f.code })) },
  });
}
