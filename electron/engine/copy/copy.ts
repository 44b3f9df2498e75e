import { FerryError } from '../../../shared/errors';
import type { EngineContext } from '../context';
import type { FetchedManifest } from '../registry/client';
import { formatPlatform, parseManifest, platformMatches, type Descriptor, type Platform } from '../registry/manifest';
import type { BlobFlights, BlobOutcome } from './blob-flights';
import { openDestination, openSource, parseEndpoint } from './endpoints';
import { TransferProgress } from './progress';
import type { ImageDestination, ImageSource } from './types';
import { linkedAbort } from '../abort';

/**
 * Copies one image (or an index and all or one of its platforms) from a source to a destination:
 * every blob before any manifest, children before their index, the name (tag / ref name) last.
 * All blobs are checked and stored concurrently: checks and manifests share the context's request limiter,
 * blob transfers its transfer limiter, so the bounds hold across every image copied with the context.
 * A blob present in several platforms travels once (across images too, given `flights`).
 * The first failure aborts the rest and nothing gets named, so no tag points at a partial image.
 */
export interface CopyOptions {
  /** Copy only this platform of an index; the destination then gets that platform's manifest. */
  platform?: Platform;
  signal?: AbortSignal;
  /** Blob work shared with the other copies of the run into the same registry (a push, a direct mirror). */
  flights?: BlobFlights;
  /** The progress of the run this copy is part of; the image declares itself there. Without it, the copy reports on its own. */
  progress?: TransferProgress;
}

export interface CopiedManifest {
  digest: string;
  mediaType: string;
  platform?: string;
}

export interface CopyResult {
  source: string;
  destination: string;
  /** The digest now named at the destination: equal to the source's, byte for byte. */
  digest: string;
  mediaType: string;
  /** Image manifests copied (one per platform for an index). */
  manifests: CopiedManifest[];
  blobs: { total: number; copied: number; mounted: number; skipped: number; bytesCopied: number };
  /** Every blob the destination now holds for this image (config and layers of every platform copied). */
  blobDigests: string[];
}

interface ImagePlan {
  manifest: FetchedManifest;
  platform?: string;
  blobs: Descriptor[];
}

/** Layers a registry may not redistribute (Windows base layers) stay where their URLs point, as skopeo does. */
function isForeign(d: Descriptor): boolean {
  return (d.urls?.length ?? 0) > 0 && /nondistributable|foreign/.test(d.mediaType ?? '');
}

/** Runs tasks together; the first failure aborts the others, and all have settled before it is thrown. */
async function allOrNothing<T>(stop: (reason: unknown) => void, tasks: Array<() => Promise<T>>): Promise<T[]> {
  let first: unknown;
  const results = await Promise.allSettled(
    tasks.map((t) =>
      t().catch((e: unknown) => {
        if (first === undefined) {
          first = e;
          stop(e);
        }
        throw e;
      }),
    ),
  );
  if (first !== undefined) throw first;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function unsupported(src: ImageSource, mediaType: string): FerryError {
  return new FerryError('UNSUPPORTED', `${src.name} is a ${mediaType} manifest, which Ferry cannot copy.`, {
    hint: 'Docker schema 1 images are deprecated; rebuild or re-push the image with a current tool (it still shows in ferry inspect).',
  });
}

async function planImage(src: ImageSource, manifest: FetchedManifest, signal: AbortSignal, platform?: string): Promise<ImagePlan> {
  const parsed = parseManifest(manifest.bytes, manifest.mediaType, `${src.name}@${manifest.digest}`);
  if (parsed.kind !== 'image') throw unsupported(src, parsed.mediaType);
  signal.throwIfAborted();
  return { manifest: { ...manifest, mediaType: parsed.mediaType }, ...(platform ? { platform } : {}), blobs: [parsed.config, ...parsed.layers].filter((d) => !isForeign(d)) };
}

export async function copyImage(ctx: EngineContext, src: ImageSource, dst: ImageDestination, opts: CopyOptions = {}): Promise<CopyResult> {
  const { signal, stop } = linkedAbort(ctx.signal, opts.signal);
  const run = opts.progress;
  const progress = run ?? new TransferProgress(ctx.progress, { phase: 'copy', expectImages: 1 });
  let declared = false;
  try {
    const result = await copyPlanned(ctx, src, dst, opts, signal, stop, progress, () => (declared = true));
    if (!run) progress.report('done');
    return result;
  } finally {
    // An image that failed before saying what it needs still counts as declared: the run's events go on.
    if (!declared) progress.abandon();
  }
}

async function copyPlanned(ctx: EngineContext, src: ImageSource, dst: ImageDestination, opts: CopyOptions, signal: AbortSignal, stop: (reason: unknown) => void, progress: TransferProgress, declared: () => void): Promise<CopyResult> {
  const fetched = await src.getManifest(undefined, signal);
  const root = parseManifest(fetched.bytes, fetched.mediaType, src.name);
  if (root.kind === 'schema1') throw unsupported(src, root.mediaType);
  const rootManifest: FetchedManifest = { ...fetched, mediaType: root.mediaType };

  // Plan: which image manifests, which blobs. Manifests are small; fetching them first gives a total.
  let images: ImagePlan[];
  let named: FetchedManifest;
  if (root.kind === 'image') {
    images = [await planImage(src, rootManifest, signal)];
    named = rootManifest;
  } else if (opts.platform) {
    const want = opts.platform;
    const child = root.manifests.find((m) => platformMatches(want, m.platform));
    if (!child) {
      throw new FerryError('NOT_FOUND', `${src.name} has no ${formatPlatform(want)} image.`, {
        hint: `It has: ${root.manifests.map((m) => (m.platform ? formatPlatform(m.platform) : m.digest)).join(', ')}.`,
      });
    }
    images = [await planImage(src, await src.getManifest(child.digest, signal), signal, formatPlatform(want))];
    named = images[0]!.manifest;
  } else {
    images = await allOrNothing(
      stop,
      root.manifests.map((m) => async () => planImage(src, await src.getManifest(m.digest, signal), signal, m.platform ? formatPlatform(m.platform) : undefined)),
    );
    named = rootManifest;
  }

  const unique = new Map<string, Descriptor>();
  for (const img of images) for (const b of img.blobs) unique.set(b.digest, b);
  // Blobs first, then the children of an index, the name last: the image is complete once its name is written.
  const children = named === rootManifest && root.kind === 'index' ? images.map((i) => i.manifest) : [];
  progress.declare({
    source: src.name,
    units: [...[...unique.values()].map((b) => ({ digest: b.digest, size: b.size })), ...[...children, named].map((m) => ({ digest: m.digest, size: m.bytes.length }))],
  });
  declared();
  const counts = { copied: 0, mounted: 0, skipped: 0, bytesCopied: 0 };

  // Checks wait on the request limiter and uploads on the transfer limiter, never one inside the other; an
  // image waiting on another image's flight for a shared blob holds neither. `streamed` counts what this
  // image's own upload read, so progress counts each byte once.
  const store = async (blob: Descriptor, streamed: { bytes: number }): Promise<BlobOutcome> => {
    signal.throwIfAborted();
    if (await ctx.checks(() => dst.hasBlob(blob, signal))) return 'skipped';
    const onBytes = (n: number) => {
      streamed.bytes += n;
      progress.bytes(blob.digest, n);
    };
    const put = () => ctx.limit(() => dst.putBlob(blob, () => src.openBlob(blob, { signal, image: src.name, onBytes }), { signal, image: src.name, ...(src.location ? { from: src.location } : {}) }));
    const where = dst.location;
    return opts.flights && where ? opts.flights.upload(where, blob.digest, put) : put();
  };
  await allOrNothing(
    stop,
    [...unique.values()].map((blob) => async () => {
      const streamed = { bytes: 0 };
      const where = dst.location;
      let how: BlobOutcome;
      try {
        how = await (opts.flights && where ? opts.flights.once(where, blob.digest, () => store(blob, streamed)) : store(blob, streamed));
      } catch (e) {
        if (streamed.bytes > 0) progress.failed(blob.digest);
        throw e;
      }
      counts[how === 'uploaded' ? 'copied' : how]++;
      if (how === 'uploaded') counts.bytesCopied += blob.size;
      progress.done(blob.digest);
    }),
  );

  // Only now, with every blob confirmed, do manifests go out: children by digest, then the name.
  await allOrNothing(
    stop,
    children.map((m) => async () => {
      await ctx.checks(() => dst.putManifest(m, 'child', signal));
      progress.done(m.digest);
    }),
  );
  await ctx.checks(() => dst.putManifest(named, 'root', signal));
  progress.done(named.digest);

  return {
    source: src.name,
    destination: dst.name,
    digest: named.digest,
    mediaType: named.mediaType,
    manifests: images.map((i) => ({ digest: i.manifest.digest, mediaType: i.manifest.mediaType, ...(i.platform ? { platform: i.platform } : {}) })),
    blobs: { total: unique.size, ...counts },
    blobDigests: [...unique.keys()],
  };
}

/** `copy("docker://a/b:1", "oci:/mnt/x:b-1")`: parses both ends, opens them and copies. */
export async function copy(ctx: EngineContext, source: string, destination: string, opts: CopyOptions = {}): Promise<CopyResult> {
  const srcEp = parseEndpoint(source);
  const dstEp = parseEndpoint(destination);
  const src = await openSource(ctx, srcEp);
  const dst = await openDestination(ctx, dstEp, srcEp);
  return copyImage(ctx, src, dst, opts);
}
