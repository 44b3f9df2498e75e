import type { ProgressListener } from '../../../shared/progress';
import type { ParentRef, ReleaseInfo, RequestedContent, TransferManifest } from '../../../shared/transfer/manifest';
import { FERRY_VERSION } from '../../../shared/version';
import type { EngineContext } from '../context';
import type { ImageSource } from '../copy/types';
import { planVolumes, type VolumePlan } from '../media/volume-plan';
import { checkSpace, notEnoughSpace, requireVolumesFit, type SpaceCheck } from '../media/space';
import { Journal, type PlanIdentity } from '../media/journal';
import type { KeptProblem } from '../media/kept';
import type { LockHolder } from '../media/lock';
import { TransferWriter, type BlobDescriptor } from '../media/writer';
import type { Descriptor } from '../registry/manifest';
import { plannedSource, type PlannedImage, type TransferPlan } from './plan';
import type { SinceParent } from './since';

/**
 * Mirror to disk: the planned images go into a transfer directory, each blob once, at a place fixed by
 * one order (per image: its new blobs, then its manifests) so the volumes the plan announced are the
 * volumes written. Up to --parallel blobs are fetched at once, each written at its place as it arrives:
 * one connection over a WAN carries a fraction of the link. Always resumable: the same command after a
 * crash fetches only what the writer's journal does not hold.
 */
export interface MirrorToDiskOptions {
  toDir: string;
  volumeSize: number;
  /** What the user asked for, recorded in transfer.json so a later run can repeat it. */
  requested: RequestedContent;
  /** A delta: blobs the parent put into the mirror are recorded, not written. */
  since?: SinceParent;
}

export interface DiskLayout {
  volumes: VolumePlan;
  space: SpaceCheck;
  /** With --since: how much of the plan the mirror holds already, and how much is new. */
  delta?: DeltaSummary;
}

/** A delta's plan in figures, blobs counted once (manifests included) as the writer counts them. */
export interface DeltaSummary {
  parent: ParentRef;
  images: { held: number; new: number };
  blobs: { held: number; new: number };
  bytes: { held: number; new: number };
}

interface WriteStep {
  desc: BlobDescriptor;
  image: PlannedImage;
  /** Manifests are already in memory; other blobs are fetched when their turn in the limiter comes. */
  bytes?: Buffer;
  /** Held by the parent transfer's mirror: recorded in transfer.json, not written. */
  inParent?: boolean;
}

/** The order that places every blob; the plan of volumes is computed from the same list. */
function writeSteps(plan: TransferPlan, held: ReadonlySet<string> = new Set()): WriteStep[] {
  const steps: WriteStep[] = [];
  const seen = new Set<string>();
  const push = (step: WriteStep, inParent: boolean) => {
    if (seen.has(step.desc.digest)) return;
    seen.add(step.desc.digest);
    steps.push(inParent ? { ...step, inParent } : step);
  };
  for (const image of plan.images) {
    image.images.forEach((m) => {
      m.blobs.forEach((b, i) => push({ image, desc: { digest: b.digest, size: b.size, ...(b.mediaType ? { mediaType: b.mediaType } : {}), kind: i === 0 ? 'config' : 'layer' } }, held.has(b.digest)));
    });
    const manifests = image.images.length === 1 && image.images[0]!.manifest.digest === image.digest ? [] : image.images.map((m) => m.manifest);
    // An image is in the parent whole or not at all: a new image carries every manifest it names (they
    // are small), so push never needs a manifest that only the mirror has.
    const imageInParent = held.has(image.digest);
    for (const m of [...manifests, image.root]) {
      push({ image, bytes: m.bytes, desc: { digest: m.digest, size: m.bytes.length, mediaType: m.mediaType, kind: 'manifest' } }, imageInParent);
    }
  }
  return steps;
}

export async function planDisk(plan: TransferPlan, toDir: string, volumeSize: number, since?: SinceParent): Promise<DiskLayout> {
  const steps = writeSteps(plan, since?.held);
  const layout = await layoutOf(plan, steps, toDir, volumeSize);
  return since ? { ...layout, delta: deltaSummary(plan, steps, since) } : layout;
}

function deltaSummary(plan: TransferPlan, steps: readonly WriteStep[], since: SinceParent): DeltaSummary {
  const held = steps.filter((s) => s.inParent);
  const fresh = steps.filter((s) => !s.inParent);
  const bytes = (list: readonly WriteStep[]) => list.reduce((n, s) => n + s.desc.size, 0);
  const heldImages = plan.images.filter((i) => since.held.has(i.digest)).length;
  return {
    parent: since.ref,
    images: { held: heldImages, new: plan.images.length - heldImages },
    blobs: { held: held.length, new: fresh.length },
    bytes: { held: bytes(held), new: bytes(fresh) },
  };
}

/**
 * The volumes the writer will produce from these steps (parent blobs take no room) and the free space for
 * them; refused at once if the target file system cannot hold one of them.
 */
async function layoutOf(plan: TransferPlan, steps: readonly WriteStep[], toDir: string, volumeSize: number): Promise<DiskLayout> {
  const owner = new Map(plan.images.map((image, i) => [image, i]));
  const inParent = new Set(steps.filter((s) => s.inParent).map((s) => s.desc.digest));
  const volumes = planVolumes(
    steps.filter((s) => !s.inParent).map((s) => ({ digest: s.desc.digest, size: s.desc.size, owner: owner.get(s.image)! })),
    // As the writer's index: an image whose manifest the parent holds is not named in this layout.
    plan.images.filter((i) => !inParent.has(i.digest)).map((i) => ({ source: i.source, digest: i.digest, mediaType: i.mediaType, size: i.root.bytes.length })),
    volumeSize,
    plan.images.length,
  );
  const space = await checkSpace(toDir, volumes.diskBytes);
  requireVolumesFit(space, volumes.volumes);
  return { volumes, space };
}

/** The writer names the blob it writes; the operator follows images, so each event also names the image the blob is written for. */
function withImage(listener: ProgressListener, steps: readonly WriteStep[]): ProgressListener {
  const imageOf = new Map(steps.map((s) => [s.desc.digest, s.image.source]));
  return (e) => {
    const image = e.blob && !e.image ? imageOf.get(e.blob) : undefined;
    listener(image ? { ...e, image } : e);
  };
}

function releaseInfo(plan: TransferPlan): ReleaseInfo | undefined {
  const r = plan.release;
  if (!r) return undefined;
  return {
    version: r.version,
    architecture: r.architecture,
    digest: r.digest,
    ...(r.channels[0] ? { channel: r.channels[0] } : {}),
    pullspec: r.pullspec,
    source: plan.images.find((i) => i.role === 'release')!.source,
  };
}

/** What a resume must agree on with the run that started the transfer: the content, by digest. */
function planIdentity(plan: TransferPlan, since: SinceParent | undefined): PlanIdentity {
  const r = plan.release;
  return {
    ...(r ? { release: `${r.version} ${r.architecture} (${r.digest})` } : {}),
    images: plan.images.filter((i) => i.role === 'extra').map((i) => (i.source.includes('@') ? i.source : `${i.source}@${i.digest}`)),
    ...(since ? { since: `${since.ref.kind} of transfer ${since.ref.id} (${since.ref.digest})` } : {}),
  };
}

export interface MirrorToDiskResult {
  manifest: TransferManifest;
  layout: DiskLayout;
  resumedBlobs: number;
  /** Kept blobs a resume found damaged: written again from the first of them on. */
  repaired: readonly KeptProblem[];
  /** The lock of an earlier run that died, taken over. */
  tookOverLock?: LockHolder;
}

export async function mirrorToDisk(ctx: EngineContext, plan: TransferPlan, opts: MirrorToDiskOptions): Promise<MirrorToDiskResult> {
  const steps = writeSteps(plan, opts.since?.held);
  const layout = await layoutOf(plan, steps, opts.toDir, opts.volumeSize);
  const written = steps.filter((s) => !s.inParent);
  const metadataBytes = layout.volumes.diskBytes - layout.volumes.blobBytes;
  const refuse = (needed: number) => notEnoughSpace(opts.toDir, needed, layout.space.free, { volumes: layout.volumes.volumes.length });
  // A fresh transfer is refused before anything (even the directory) is created.
  const resuming = (await Journal.read(opts.toDir).catch(() => undefined)) !== undefined;
  if (!resuming && !layout.space.enough) throw refuse(layout.volumes.diskBytes);
  const writer = await TransferWriter.open(opts.toDir, {
    volumeSize: opts.volumeSize,
    resume: true,
    plan: planIdentity(plan, opts.since),
    holder: 'ferry mirror',
    onProgress: withImage(ctx.progress, steps),
    expected: { bytes: written.reduce((n, s) => n + s.desc.size, 0), blobs: steps.length },
    planned: steps.map((s) => (s.inParent ? { ...s.desc, parent: true } : s.desc)),
  });
  // A resumed run needs room only for what is still to be written.
  const remaining = written.filter((s) => !writer.has(s.desc.digest)).reduce((n, s) => n + s.desc.size, 0);
  if (resuming && remaining > 0 && layout.space.free < remaining + metadataBytes) {
    await writer.close();
    throw refuse(remaining + metadataBytes);
  }
  if (writer.resumedBlobs > 0) {
    ctx.progress({ phase: 'resume', bytesDone: 0, bytesTotal: 0, itemsDone: writer.resumedBlobs, itemsTotal: steps.length, message: `resuming: ${writer.resumedBlobs} blob(s) already on disk are kept` });
  }

  const sources = new Map<PlannedImage, ImageSource>();
  const sourceOf = (image: PlannedImage) => {
    let s = sources.get(image);
    if (!s) sources.set(image, (s = plannedSource(ctx, image)));
    return s;
  };
  // The first failure stops every blob still queued behind it; those in flight end as holes a rerun fills.
  const stop = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, stop.signal]) : stop.signal;
  let failure: { error: unknown } | undefined;
  try {
    // ctx.limit bounds the blobs in flight to --parallel and holds a paused job between blobs.
    await Promise.allSettled(
      steps.map(async (step) => {
        try {
          if (step.inParent) return await writer.addParentBlob(step.desc);
          if (writer.has(step.desc.digest)) return false;
          return await ctx.limit(async () => {
            signal.throwIfAborted();
            const bytes = step.bytes ? [step.bytes] : await sourceOf(step.image).openBlob({ digest: step.desc.digest, size: step.desc.size } satisfies Descriptor, { image: step.image.source, signal });
            return writer.addBlob(step.desc, bytes);
          });
        } catch (e) {
          failure ??= { error: e };
          stop.abort(e);
          throw e;
        }
      }),
    );
    if (failure) throw failure.error;
    for (const image of plan.images) {
      const platforms = image.images.flatMap((m) => (m.platform ? [m.platform] : []));
      writer.addImage({
        source: image.source,
        role: image.role,
        digest: image.digest,
        mediaType: image.mediaType,
        ...(image.ref.tag ? { tag: image.ref.tag } : {}),
        ...(platforms.length ? { platforms } : {}),
        manifests: image.images.map((m) => m.manifest.digest),
        ...(image.components ? { components: image.components } : {}),
      });
    }
    const release = releaseInfo(plan);
    const manifest = await writer.finish({
      toolVersion: FERRY_VERSION,
      requested: opts.requested,
      ...(release ? { release } : {}),
      ...(opts.since ? { parent: opts.since.ref } : {}),
      ...(plan.releaseSignatures ? { releaseSignatures: plan.releaseSignatures } : {}),
      ...(plan.catalogs ? { catalogs: plan.catalogs } : {}),
    });
    return { manifest, layout, resumedBlobs: writer.resumedBlobs, repaired: writer.repaired, ...(writer.tookOverLock ? { tookOverLock: writer.tookOverLock } : {}) };
  } catch (e) {
    // The journal keeps every complete blob: the same command resumes from there.
    await writer.close();
    throw e;
  }
}
