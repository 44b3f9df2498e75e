import { FerryError } from '../../../shared/errors';
import type { EngineContext } from '../context';
import type { FetchedManifest } from '../registry/client';
import { formatPlatform, parseManifest, platformMatches, type Descriptor, type Platform } from '../registry/manifest';
import type { BlobFlights, BlobOutcome } from './blob-flights';
import { openDestination, openSource, parseEndpoint } from './endpoints';
import { ProgressTracker } from './progress';
import type { ImageDestination, ImageSource } from './types';

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

function linkSignals(...signals: Array<AbortSignal | undefined>): AbortController {
  const controller = new AbortController();
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) controller.abort(s.reason);
    else s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller;
}

/** Runs tasks together; the first failure aborts the others, and all have settled before it is thrown. */
async function allOrNothing<T>(controller: AbortController, tasks: Array<() => Promise<T>>): Promise<T[]> {
  let first: unknown;
  const results = await Promise.allSettled(
    tasks.map((t) =>
      t().catch((e: unknown) => {
        if (first === undefined) {
          first = e;
          controller.abort(e);
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
  const controller = linkSignals(ctx.signal, opts.signal);
  const signal = controller.signal;
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
      controller,
      root.manifests.map((m) => async () => planImage(src, await src.getManifest(m.digest, signal), signal, m.platform ? formatPlatform(m.platform) : undefined)),
    );
    named = rootManifest;
  }

  const unique = new Map<string, Descriptor>();
  for (const img of images) for (const b of img.blobs) unique.set(b.digest, b);
  const progress = new ProgressTracker(ctx.progress, src.name, unique.size, [...unique.values()].reduce((n, b) => n + b.size, 0));
  const counts = { copied: 0, mounted: 0, skipped: 0, bytesCopied: 0 };

  // Checks wait on the request limiter and uploads on the transfer limiter, never one inside the other; an
  // image waiting on another image's flight for a shared blob holds neither. `streamed` counts what this
  // image's own upload read, so progress counts each byte once.
  const store = async (blob: Descriptor, streamed: { bytes: number }): Promise<BlobOutcome> => {
    signal.throwIfAborted();
    if (await ctx.checks(() => dst.hasBlob(blob, signal))) return 'skipped';
    const onBytes = (n: number) => {
      streamed.bytes += n;
      progress.bytes(n, blob.digest);
    };
    const put = () => ctx.limit(() => dst.putBlob(blob, () => src.openBlob(blob, { signal, image: src.name, onBytes }), { signal, image: src.name, ...(src.location ? { from: src.location } : {}) }));
    const where = dst.location;
    return opts.flights && where ? opts.flights.upload(where, blob.digest, put) : put();
  };
  await allOrNothing(
    controller,
    [...unique.values()].map((blob) => async () => {
      const streamed = { bytes: 0 };
      const where = dst.location;
      const how = await (opts.flights && where ? opts.flights.once(where, blob.digest, () => store(blob, streamed)) : store(blob, streamed));
      counts[how === 'uploaded' ? 'copied' : how]++;
      if (how === 'uploaded') counts.bytesCopied += blob.size;
      progress.blobDone(blob, blob.size - streamed.bytes);
    }),
  );

  // Only now, with every blob confirmed, do manifests go out: children by digest, then the name.
  if (named === rootManifest && root.kind === 'index') {
    await allOrNothing(controller, images.map((img) => () => ctx.checks(() => dst.putManifest(img.manifest, 'child', signal))));
  }
  await ctx.checks(() => dst.putManifest(named, 'root', signal));
  progress.finish();

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
