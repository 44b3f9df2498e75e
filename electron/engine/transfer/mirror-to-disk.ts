import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { TRANSFER_FILE, requestedSchema, type CarriedReleaseEntry, type FailedImage, type ParentRef, type ReleaseInfo, type RequestedContent, type TransferManifest } from '../../../shared/transfer/manifest';
import { FERRY_VERSION } from '../../../shared/version';
import type { EngineContext } from '../context';
import type { ImageSource } from '../copy/types';
import { TransferProgress } from '../copy/progress';
import { regularFileAt } from '../media/confined-file';
import { planVolumes, type VolumePlan } from '../media/volume-plan';
import { checkSpace, notEnoughSpace, requireVolumesFit, type SpaceCheck } from '../media/space';
import { Journal, type PlanIdentity } from '../media/journal';
import type { KeptProblem } from '../media/kept';
import type { LockHolder } from '../media/lock';
import { TransferWriter, type BlobDescriptor } from '../media/writer';
import type { Descriptor } from '../registry/manifest';
import type { ResolvedRelease } from '../release/resolve';
import { plannedSource, type PlannedImage, type TransferPlan } from './plan';
import { LEFT_OUT, RETRIED_LAST, imageFailure } from './keep-going';
import type { SinceParent } from './since';
import { HEAD_START_MIN_BLOB, HeadStart } from './head-start';
import { linkedAbort } from '../abort';
import { createLimiter, type Limiter } from '../copy/limit';

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
  /** Stop at the first image that fails, whatever its kind (keep-going.ts). */
  failFast?: boolean;
  /** Downloads begun while the plan was read (headStartFor): taken over first; no more begin. */
  headStart?: HeadStart;
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

/**
 * The order the blobs no head start began are fetched in (each is still written at its planned place): the
 * small ones spread evenly among the large ones rather than in layout order, where the configs of the images
 * whose layers the head start began come first, in a run. Those layers, resumed together at plan done, shared
 * the link and ended together; every download slot they freed then went to a config, a round trip each, and
 * the link idled (WAN bench, 40 ms profile: a 594-byte config took 0.67 s there, the link near 0 for 0.25-0.5 s).
 */
function fetchOrder(steps: readonly WriteStep[]): WriteStep[] {
  const small = steps.filter((s) => s.desc.size < HEAD_START_MIN_BLOB);
  const large = steps.filter((s) => s.desc.size >= HEAD_START_MIN_BLOB);
  const out: WriteStep[] = [];
  let next = 0;
  large.forEach((step, i) => {
    out.push(step);
    for (const end = Math.round(((i + 1) * small.length) / large.length); next < end; next++) out.push(small[next]!);
  });
  return [...out, ...small.slice(next)];
}

/**
 * ctx.limit, within the bound ctx.parallelFor sets for the registries these blobs come from: asked again as
 * each blob starts, so a registry found to hand its blobs to storage elsewhere gets --parallel from then on.
 */
function fetchLimit(ctx: EngineContext, sources: readonly ImageSource[]): Limiter {
  const hosts = [...new Set(sources.flatMap((s) => (s.location ? [s.location.registry] : [])))];
  const bound = createLimiter(() => ctx.parallelFor(hosts));
  return (task) => bound(() => ctx.limit(task));
}

/** Every image whose manifests name each blob: a failing blob fails them all. */
function blobUsers(plan: TransferPlan): Map<string, Set<PlannedImage>> {
  const users = new Map<string, Set<PlannedImage>>();
  const use = (digest: string, image: PlannedImage) => {
    const set = users.get(digest) ?? new Set<PlannedImage>();
    users.set(digest, set.add(image));
  };
  for (const image of plan.images) {
    use(image.digest, image);
    for (const m of image.images) {
      use(m.manifest.digest, image);
      for (const b of m.blobs) use(b.digest, image);
    }
  }
  return users;
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

/**
 * The run's progress from the plan: every written blob and manifest once, owned by the first image needing
 * it, placed in the volumes as the layout puts it. Each image needs all of its blobs and manifests.
 */
function progressOf(ctx: EngineContext, plan: TransferPlan, written: readonly WriteStep[], layout: DiskLayout): TransferProgress {
  const units = new Map(written.map((s) => [s.desc.digest, { digest: s.desc.digest, size: s.desc.size, parts: layout.volumes.parts.get(s.desc.digest) ?? [] }]));
  const images = plan.images.map((image) => {
    const needs = [...image.images.flatMap((m) => [...m.blobs.map((b) => b.digest), m.manifest.digest]), image.digest];
    return { source: image.source, units: needs.flatMap((d) => units.get(d) ?? []) };
  });
  return new TransferProgress(ctx.progress, { phase: 'write-volume', images, volumes: layout.volumes.volumes.map((v) => v.name) });
}

function releaseInfo(plan: TransferPlan, r: ResolvedRelease): ReleaseInfo {
  return {
    version: r.version,
    architecture: r.architecture,
    digest: r.digest,
    ...(r.channels[0] ? { channel: r.channels[0] } : {}),
    pullspec: r.pullspec,
    source: plan.images.find((i) => i.role === 'release' && i.digest === r.digest)!.source,
  };
}

/** transfer.json `releases`: the releases beside the primary one, each with its signatures and component names. */
function otherReleaseEntries(plan: TransferPlan): CarriedReleaseEntry[] {
  return (plan.otherReleases ?? []).map(({ release, signatures }) => ({
    release: releaseInfo(plan, release),
    ...(signatures ? { signatures } : {}),
    components: Object.fromEntries(release.components.map((c) => [c.name, c.source.digest])),
  }));
}

/** What a resume must agree on with the run that started the transfer: the content, by digest. */
function planIdentity(plan: TransferPlan, since: SinceParent | undefined): PlanIdentity {
  const r = plan.release;
  return {
    ...(r ? { release: `${r.version} ${r.architecture} (${r.digest})` } : {}),
    ...(plan.otherReleases ? { releases: plan.otherReleases.map((o) => `${o.release.version} ${o.release.architecture} (${o.release.digest})`) } : {}),
    images: plan.images.filter((i) => i.role === 'extra').map((i) => (i.source.includes('@') ? i.source : `${i.source}@${i.digest}`)),
    ...(since ? { since: `${since.ref.kind} of transfer ${since.ref.id} (${since.ref.digest})` } : {}),
    ...(plan.retried ? { [RETRIED_LAST]: plan.retried } : {}),
    ...(plan.failed ? { [LEFT_OUT]: plan.failed.map((f) => JSON.stringify(f)) } : {}),
  };
}

/** A finished transfer this run completes: it lists failed images and was asked for exactly what this run is. */
function completes(opts: MirrorToDiskOptions): (finished: TransferManifest) => boolean {
  const asked = JSON.stringify(requestedSchema.parse(opts.requested));
  return (finished) => (finished.failed?.length ?? 0) > 0 && JSON.stringify(requestedSchema.parse(finished.requested)) === asked;
}

/**
 * Images whose blobs failed while others were written: the planned volumes have holes where their blobs go,
 * so the transfer cannot be finished without them. Everything else is on the media; the same command
 * fetches only what is missing.
 */
function blobFailures(failed: readonly FailedImage[]): FerryError {
  return new FerryError(failed[0]!.code as FerryError['code'], `${failed.length} image(s) failed while their blobs were fetched; every other blob is written, but the transfer is not finished:\n${failed.map((f) => `  ${f.ref}: ${f.message}`).join('\n')}`, {
    hint: 'Run the same command again: it fetches only the missing blobs. If a source keeps serving wrong bytes, fix it first, or write the transfer without that image to another directory.',
    details: { failed: failed.map((f) => ({ ref: f.ref, code: f.code })) },
  });
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

/** Whether `toDir` holds a transfer this run would resume or complete (a journal, or a transfer.json). */
async function holdsTransfer(toDir: string): Promise<boolean> {
  return (await Journal.read(toDir).catch(() => undefined)) !== undefined || Boolean(await regularFileAt(join(toDir, TRANSFER_FILE)).catch(() => false));
}

/**
 * A head start (head-start.ts) for a mirror into `toDir`: give its offer() to planMirror's onPlanned and it to
 * mirrorToDisk, and close it once done. None for a directory holding a transfer: its blobs are mostly there.
 */
export async function headStartFor(ctx: EngineContext, toDir: string, since?: SinceParent): Promise<HeadStart | undefined> {
  return (await holdsTransfer(toDir)) ? undefined : new HeadStart(ctx, since?.held);
}

export async function mirrorToDisk(ctx: EngineContext, plan: TransferPlan, opts: MirrorToDiskOptions): Promise<MirrorToDiskResult> {
  const headStart = opts.headStart;
  headStart?.stop();
  const steps = writeSteps(plan, opts.since?.held);
  const layout = await layoutOf(plan, steps, opts.toDir, opts.volumeSize);
  const written = steps.filter((s) => !s.inParent);
  const metadataBytes = layout.volumes.diskBytes - layout.volumes.blobBytes;
  const refuse = (needed: number) => notEnoughSpace(opts.toDir, needed, layout.space.free, { volumes: layout.volumes.volumes.length });
  // A fresh transfer is refused before anything (even the directory) is created; a partial one being
  // completed (or a finished one the writer refuses) needs room only for what is missing.
  const resuming = await holdsTransfer(opts.toDir);
  if (!resuming && !layout.space.enough) throw refuse(layout.volumes.diskBytes);
  const writer = await TransferWriter.open(opts.toDir, {
    volumeSize: opts.volumeSize,
    resume: true,
    plan: planIdentity(plan, opts.since),
    holder: 'ferry mirror',
    planned: steps.map((s) => (s.inParent ? { ...s.desc, parent: true } : s.desc)),
    reopen: completes(opts),
  });
  // A resumed run needs room only for what is still to be written.
  const remaining = written.filter((s) => !writer.has(s.desc.digest)).reduce((n, s) => n + s.desc.size, 0);
  if (resuming && remaining > 0 && layout.space.free < remaining + metadataBytes) {
    await writer.close();
    throw refuse(remaining + metadataBytes);
  }
  const progress = progressOf(ctx, plan, written, layout);
  for (const s of written) if (writer.has(s.desc.digest)) progress.kept(s.desc.digest);
  if (writer.resumedBlobs > 0) progress.report('resume', `resuming: ${writer.resumedBlobs} blob(s) already on disk are kept`);

  const sources = new Map<PlannedImage, ImageSource>();
  const sourceOf = (image: PlannedImage) => {
    let s = sources.get(image);
    if (!s) sources.set(image, (s = plannedSource(ctx, image)));
    return s;
  };
  // The first failure stops every blob still queued behind it; those in flight end as holes a rerun fills.
  const { signal, stop } = linkedAbort(ctx.signal);
  let failure: { error: unknown } | undefined;
  // Images that may fail alone (keep going) and did: the other blobs are still written.
  const failedImages = new Map<string, FailedImage>();
  const usersOf = blobUsers(plan);
  const failAlone = (digest: string, e: unknown): boolean => {
    const failures = [...(usersOf.get(digest) ?? [])].map((image) => imageFailure(image.source, image.role, e, opts));
    if (failures.length === 0 || failures.some((f) => f === undefined)) return false;
    for (const f of failures) if (!failedImages.has(f!.ref)) failedImages.set(f!.ref, f!);
    return true;
  };
  try {
    // ctx.limit bounds the blobs in flight to --parallel and holds a paused job between blobs; fewer when every
    // source is near (ctx.parallelFor). Downloads with a head start queue first: their bytes wait in memory.
    // Each blob still goes to its planned place.
    const limit = fetchLimit(ctx, written.filter((s) => !s.bytes && !s.image.generated?.has(s.desc.digest)).map((s) => sourceOf(s.image)));
    const started = new Set(headStart ? steps.filter((s) => headStart.has(s.desc.digest)) : []);
    await Promise.allSettled(
      [...started, ...fetchOrder(steps.filter((s) => !started.has(s)))].map(async (step) => {
        try {
          if (step.inParent) return await writer.addParentBlob(step.desc);
          if (writer.has(step.desc.digest)) return false;
          const digest = step.desc.digest;
          const added = await limit(async () => {
            signal.throwIfAborted();
            const onBytes = (n: number) => progress.bytes(digest, n);
            const bytes = step.bytes
              ? [step.bytes]
              : (headStart?.take(digest, { signal, onBytes }) ?? (await sourceOf(step.image).openBlob({ digest, size: step.desc.size } satisfies Descriptor, { image: step.image.source, signal, onBytes })));
            return writer.addBlob(step.desc, bytes);
          });
          if (added) progress.done(digest);
          return added;
        } catch (e) {
          progress.failed(step.desc.digest);
          if (!signal.aborted && failAlone(step.desc.digest, e)) throw e;
          failure ??= { error: e };
          stop(e);
          throw e;
        }
      }),
    );
    if (failure) throw failure.error;
    if (failedImages.size > 0) throw blobFailures([...failedImages.values()]);
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
    const release = plan.release ? releaseInfo(plan, plan.release) : undefined;
    const others = otherReleaseEntries(plan);
    const manifest = await writer.finish({
      toolVersion: FERRY_VERSION,
      requested: opts.requested,
      ...(release ? { release } : {}),
      ...(opts.since ? { parent: opts.since.ref } : {}),
      ...(plan.releaseSignatures ? { releaseSignatures: plan.releaseSignatures } : {}),
      ...(others.length ? { releases: others } : {}),
      ...(plan.catalogs ? { catalogs: plan.catalogs } : {}),
      ...(plan.graph ? { graph: plan.graph } : {}),
      ...(plan.failed ? { failed: plan.failed } : {}),
    });
    progress.report('done', `wrote ${manifest.volumes.length} volume(s)`);
    return { manifest, layout, resumedBlobs: writer.resumedBlobs, repaired: writer.repaired, ...(writer.tookOverLock ? { tookOverLock: writer.tookOverLock } : {}) };
  } catch (e) {
    // The journal keeps every complete blob: the same command resumes from there.
    await writer.close();
    throw e;
  }
}
