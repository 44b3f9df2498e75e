import { dirname, join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { parseMirrorTarget, type MirrorTarget } from '../../../shared/mirror-mapping';
import { formatReference, type ImageReference } from '../../../shared/reference';
import { RECEIPT_FILE, RECEIPT_FORMAT_VERSION, type Receipt } from '../../../shared/transfer/receipt';
import type { FailedImage, TransferImage, TransferManifest } from '../../../shared/transfer/manifest';
import { carriedReleases, releaseMembers, type ReleaseMember } from '../../../shared/transfer/carried-releases';
import type { SignatureCheck } from '../../../shared/transfer/signature';
import { FERRY_VERSION } from '../../../shared/version';
import type { EngineContext } from '../context';
import { BlobFlights } from '../copy/blob-flights';
import { copyImage, type CopyResult } from '../copy/copy';
import { TransferProgress } from '../copy/progress';
import { DockerDestination } from '../copy/docker';
import type { ImageDestination, ImageSource } from '../copy/types';
import type { FetchedManifest } from '../registry/client';
import { replaceConfined } from '../media/confined-file';
import { TransferReader } from '../media/reader';
import { openTrustedTransfer, type TrustPolicy } from '../signing/trust-policy';
import { allMirrorTags, mirrorLocationByDigest, mirrorReference, mirrorTags, type MirroredImage } from './destination';
import { tagInMirror } from './mirror-tags';
import { MediaSource } from './media-source';
import { checkParent } from './parent-check';
import { PushSession, type ResumeStats } from './push-session';

/**
 * Images into the mirror registry, from a transfer on media (push) or straight from the source
 * registries (direct mirror). All images are copied at once; their blob checks, uploads and manifest
 * writes share the context's limiters, and a blob several images need is checked and sent once per
 * repository (BlobFlights). Each image is copied whole or not at all (its name is written last);
 * one image failing does not stop the others, but the run fails and names every image that did not
 * arrive. The receipt lists exactly what the mirror now holds.
 */
export interface ImageOutcome {
  source: string;
  destination: string;
  digest: string;
  /** Tags the image got beside its digest (release components). */
  tags?: string[];
  result?: CopyResult;
  error?: { code: string; message: string; hint?: string };
}

export interface PushResult {
  target: string;
  images: ImageOutcome[];
  receipt: Receipt;
  blobs: { total: number; copied: number; mounted: number; skipped: number; bytesCopied: number };
}

export interface PushImage extends MirroredImage {
  open(): ImageSource;
}

export interface PushMeta {
  targetSpec: string;
  transferId: string;
  release?: { version: string; architecture: string };
  /** Where images are written; a plain registry destination by default. */
  destination?: (ref: ImageReference) => ImageDestination;
}

/** Copies every image to its mirror location; never throws for one image's failure (see `assertAllPushed`). */
export async function pushImages(
  ctx: EngineContext,
  images: readonly PushImage[],
  target: MirrorTarget,
  meta: PushMeta,
): Promise<PushResult> {
  const flights = new BlobFlights();
  // One model for the run: a blob several images (or repositories) need counts once, present ones as done.
  const progress = new TransferProgress(ctx.progress, { phase: 'push', expectImages: images.length });
  const outcomes = await Promise.all(
    images.map(async (image): Promise<ImageOutcome> => {
      const dstRef = mirrorReference(image, target, meta.release);
      const destination = formatReference(dstRef);
      // The release's own tag is written by the copy (its name); every other tag after it.
      const tags = mirrorTags(image, meta.release).filter((t) => t.tag !== dstRef.tag);
      let copying = false;
      try {
        const written = new Map<string, FetchedManifest>();
        const dst = remembering(meta.destination ? meta.destination(dstRef) : new DockerDestination(ctx, dstRef), written);
        const src = image.open();
        copying = true;
        const result = await copyImage(ctx, src, dst, { flights, progress });
        if (result.digest !== image.digest) {
          throw new FerryError('DIGEST_MISMATCH', `${image.source} arrived in the mirror as ${result.digest}, not ${image.digest}.`, {
            hint: 'The source changed under the transfer; mirror it again.',
          });
        }
        await tagInMirror(ctx, image, target, tags, written);
        return { source: image.source, destination, digest: image.digest, ...(tags.length ? { tags: tags.map((t) => t.tag) } : {}), result };
      } catch (e) {
        // The copy declares its image to the run's progress (or gives it up) itself; one that never started does here.
        if (!copying) progress.abandon();
        if (ctx.signal?.aborted) throw e;
        const err = e instanceof FerryError ? e : new FerryError('INTERNAL', (e as Error).message);
        return { source: image.source, destination, digest: image.digest, error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } };
      }
    }),
  );
  const done = outcomes.filter((o) => o.result);
  progress.report(done.length === outcomes.length ? 'done' : 'stopped');
  const blobs = { total: 0, copied: 0, mounted: 0, skipped: 0, bytesCopied: 0 };
  const held = new Set<string>();
  for (const o of done) {
    for (const k of Object.keys(blobs) as Array<keyof typeof blobs>) blobs[k] += o.result!.blobs[k];
  }
  const receipt: Receipt = {
    formatVersion: RECEIPT_FORMAT_VERSION,
    kind: 'receipt',
    createdAt: new Date().toISOString(),
    tool: { name: 'ferry', version: FERRY_VERSION },
    target: meta.targetSpec,
    transferId: meta.transferId,
    images: done.map((o) => {
      const image = images.find((i) => i.source === o.source)!;
      return { source: o.source, role: image.role, mirror: mirrorLocationByDigest(image, target), digest: o.digest, ...(o.tags ? { tags: o.tags } : {}) };
    }),
    blobs: [],
  };
  for (const o of done) for (const d of [o.result!.digest, ...o.result!.manifests.map((m) => m.digest), ...o.result!.blobDigests]) held.add(d);
  receipt.blobs = [...held].sort();
  return { target: meta.targetSpec, images: outcomes, receipt, blobs };
}

/** `dst`, keeping every manifest it stored in `into`: the image's tags then name them without reading them back. */
function remembering(dst: ImageDestination, into: Map<string, FetchedManifest>): ImageDestination {
  return {
    name: dst.name,
    ...(dst.location ? { location: dst.location } : {}),
    hasBlob: (blob, signal) => dst.hasBlob(blob, signal),
    putBlob: (blob, open, opts) => dst.putBlob(blob, open, opts),
    async putManifest(manifest, role, signal) {
      await dst.putManifest(manifest, role, signal);
      into.set(manifest.digest, manifest);
    },
  };
}

/** Fails (exit 1) naming every image that did not arrive. */
export function assertAllPushed(result: PushResult): void {
  const failed = result.images.filter((o) => o.error);
  if (failed.length === 0) return;
  throw new FerryError('VERIFY_FAILED', `${failed.length} of ${result.images.length} image(s) were not pushed to ${result.target}:\n${failed.map((f) => `  ${f.source}: ${f.error!.message}`).join('\n')}`, {
    hint: 'Nothing of those images is named in the mirror. Fix the cause and run the same command again: what arrived is skipped.',
    details: { failed: failed.map((f) => ({ source: f.source, ...f.error })) },
  });
}

/**
 * A transfer image as push and verify name it in the mirror: a release image or component with every carried release
 * it belongs to (`members`: releaseMembers of the transfer's carriedReleases), so each release tags it its own way.
 */
export function mirroredImage(image: TransferImage, members: ReadonlyMap<string, readonly ReleaseMember[]>): MirroredImage {
  const releases = image.role === 'extra' ? undefined : members.get(image.digest);
  return { source: image.source, role: image.role, digest: image.digest, manifests: image.manifests, ...(image.components ? { components: image.components } : {}), ...(releases ? { releases } : {}) };
}

/** Every carried release's image and component tags, by image digest (see mirroredImage). */
export function transferMembers(manifest: TransferManifest): Map<string, ReleaseMember[]> {
  return releaseMembers(carriedReleases(manifest));
}

export function releaseOf(manifest: TransferManifest): { version: string; architecture: string } | undefined {
  return manifest.release ? { version: manifest.release.version, architecture: manifest.release.architecture } : undefined;
}

export interface DiskPushResult extends PushResult {
  receiptPath: string;
  /** The signature verdict the push went ahead on (see `DiskPushOptions.trust`). */
  signature: SignatureCheck;
  /** What an earlier, interrupted run of the same push left, and what this run sent again. */
  resume: ResumeStats;
  /** For a delta: blobs taken from the parent (all confirmed in the mirror) and images already there whole. */
  parent?: { id: string; blobs: number; images: number };
  /** A partial transfer: images it was asked for but could not carry, so not pushed (transfer.json's `failed`). */
  notCarried?: FailedImage[];
}

export interface DiskPushOptions {
  /** Where receipt.json goes (what arrived, even if an image failed; default DIR/receipt.json); its directory also holds the push journal. */
  receiptPath?: string;
  /** Which signatures to accept; transfer.json is judged by it before anything else happens. */
  trust: TrustPolicy;
  /** Called once the journal of an earlier run has been re-checked, before anything is sent. */
  onResume?: (stats: ResumeStats) => void;
}

/**
 * Disk → mirror. transfer.json's signature is judged first (a refusal contacts no registry), and the
 * manifest used is parsed from the very bytes that were judged, so every tag written comes from a signed
 * list whose digests then hold. Every byte read from the volumes is verified before it is sent. A delta is refused
 * before anything moves when the mirror lacks what it takes from its parent. Resumable through the
 * push journal beside the receipt, which goes once every image has arrived.
 */
export async function pushFromDisk(ctx: EngineContext, fromDir: string, to: string, opts: DiskPushOptions): Promise<DiskPushResult> {
  const target = parseMirrorTarget(to);
  const { manifest, signature } = await openTrustedTransfer(fromDir, opts.trust);
  const reader = await TransferReader.of(fromDir, manifest);
  const release = releaseOf(manifest);
  const members = transferMembers(manifest);
  const parent = await checkParent(ctx, reader, target, to);
  const receiptPath = opts.receiptPath ?? join(fromDir, RECEIPT_FILE);
  const session = await PushSession.open(ctx, dirname(receiptPath), manifest.id, target, to);
  try {
    opts.onResume?.(session.stats);
    const result = await pushImages(
      ctx,
      manifest.images
        .filter((image) => !parent.inParent.has(image.source))
        .map((image) => ({ ...mirroredImage(image, members), open: () => new MediaSource(reader, image) })),
      target,
      { targetSpec: to, transferId: manifest.id, ...(release ? { release } : {}), destination: (ref) => session.destination(ref) },
    );
    // Images the parent already put there are in the mirror too (their manifests were confirmed by HEAD);
    // this transfer's names for them are written as well: the release's tags, an extra image's or a catalog's own.
    const held = await Promise.all(
      manifest.images
        .filter((i) => parent.inParent.has(i.source))
        .map(async (image) => {
          const mirrored = mirroredImage(image, members);
          const tags = allMirrorTags(mirrored, target, release);
          await tagInMirror(ctx, mirrored, target, tags);
          return { source: image.source, role: image.role, mirror: mirrorLocationByDigest(image, target), digest: image.digest, ...(tags.length ? { tags: tags.map((t) => t.tag) } : {}) };
        }),
    );
    result.receipt.images.push(...held);
    result.receipt.blobs = [...new Set([...result.receipt.blobs, ...parent.present])].sort();
    const out: DiskPushResult = {
      ...result,
      receiptPath,
      signature,
      resume: session.stats,
      ...(manifest.parent ? { parent: { id: manifest.parent.id, blobs: parent.present.size, images: parent.inParent.size } } : {}),
      ...(manifest.failed?.length ? { notCarried: manifest.failed } : {}),
    };
    // The receipt lists what arrived even when an image failed; the journal stays until all did.
    await replaceConfined(receiptPath, `${JSON.stringify(result.receipt, null, 2)}\n`);
    if (result.images.every((o) => !o.error)) await session.journal.remove();
    return out;
  } finally {
    await session.journal.close();
  }
}
