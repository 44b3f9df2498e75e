import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { carriedReleases } from '../../../shared/transfer/carried-releases';
import { FerryError } from '../../../shared/errors';
import { parseMirrorTarget } from '../../../shared/mirror-mapping';
import { formatReference, parseReference, withDigest } from '../../../shared/reference';
import type { EngineContext, OpenEngine } from '../context';
import { DockerSource } from '../copy/docker';
import { readSmallBlob } from '../copy/inspect';
import type { ImageSource } from '../copy/types';
import { extractFileFromLayers, readFilesFromLayers, type FileFilter, type LayerSource } from '../image-files/layers';
import { PLACEHOLDERS, PlaceholderFiller, type PlaceholderKind } from '../image-files/placeholders';
import { TransferReader } from '../media/reader';
import { IMAGE_REFERENCES_PATH, imageReferencesName, parseImageReferences, parseReleaseMetadata, RELEASE_METADATA_PATH, type ReleaseComponent } from '../release/payload';
import { toOciArch } from '../release/resolve';
import { formatPlatform, parseManifest, platformMatches, type Descriptor } from '../registry/manifest';
import { mirrorLocationByDigest } from './destination';
import { parseCommandOs, selectTarget, type ExtractTarget } from './extract-targets';
import { MediaSource } from './media-source';

/**
 * `ferry extract --command` (oc adm release extract --command): a client binary out of a release
 * component, from the source registry or from a transfer on media, with the release's placeholders
 * filled as oc fills them (see placeholders.ts): the release pullspec pinned by digest, the version
 * and the architecture, so `openshift-install` installs exactly this release and `oc version` names it.
 * Layers stream through and are verified before the file is renamed into place (mode 0755, as oc).
 *
 * The pullspec written is the one oc writes for the same input: the release reference it read,
 * with the tag dropped and the digest of what it read (the manifest list's for a multi payload).
 * From a registry that is `--release` as given (with --source-mirror, the original name: like oc with
 * an IDMS file). From a transfer it is the release's name on the connected side, or with `--mirror
 * HOST:PORT/NS` the release in that mirror, `HOST:PORT/NS/ocp-release@sha256:…`: what
 * `oc adm release extract --from HOST:PORT/NS/ocp-release:VERSION-ARCH` writes after `ferry push`.
 */
export interface ExtractResult {
  file: string;
  bytes: number;
  command: string;
  /** `os/arch` the binary is for. */
  platform: string;
  component: string;
  image: string;
  layer: string;
  /** What was written into the binary's placeholders. */
  releaseImage?: string;
  releaseVersion: string;
  releaseArchitecture?: string;
}

export interface ExtractRequest {
  command: string;
  toDir: string;
  /** Architecture of the payload to read from a multi-arch release (OpenShift or Go name). */
  arch?: string;
  /** oc's `--command-os`: OS or OS/ARCH (linux, linux/arm64, mac, mac/arm64, windows …). */
  commandOs?: string;
}

/** The image manifest of an image (of `arch`'s platform when it is an index) and the digest oc pins: the top one. */
async function imageOf(src: ImageSource, arch: string, signal?: AbortSignal): Promise<{ top: string; index: boolean; config: Descriptor; layers: LayerSource[] }> {
  const top = await src.getManifest(undefined, signal);
  let manifest = top;
  let parsed = parseManifest(manifest.bytes, manifest.mediaType, src.name);
  const index = parsed.kind === 'index';
  if (parsed.kind === 'index') {
    const want = { os: 'linux', architecture: toOciArch(arch) };
    const child = parsed.manifests.find((m) => platformMatches(want, m.platform));
    if (!child) throw new FerryError('NOT_FOUND', `${src.name} has no ${formatPlatform(want)} image.`, { hint: 'Pass the --arch of the cluster you install.' });
    manifest = await src.getManifest(child.digest, signal);
    parsed = parseManifest(manifest.bytes, manifest.mediaType, `${src.name}@${child.digest}`);
  }
  if (parsed.kind !== 'image') throw new FerryError('UNSUPPORTED', `${src.name} is a ${parsed.mediaType} manifest, from which Ferry cannot extract files.`);
  return {
    top: top.digest,
    index,
    config: parsed.config,
    layers: parsed.layers.map((layer) => ({ digest: layer.digest, open: () => src.openBlob(layer, { image: src.name, ...(signal ? { signal } : {}) }) })),
  };
}

interface ReleaseFacts {
  digest: string;
  components: ReleaseComponent[];
  /** oc's `PreferredName()`: release-metadata's version, else the image-references name. */
  version: string;
  /** oc's `Platform()`: `linux/amd64`, or `multi (linux/amd64)` for a manifest list. */
  platform: string;
  /** The payload's Go architecture: what the `release-arch` rows of the target table serve. */
  goArch: string;
}

async function readRelease(release: ImageSource, arch: string, signal?: AbortSignal): Promise<ReleaseFacts> {
  const image = await imageOf(release, arch, signal);
  const config = JSON.parse((await readSmallBlob(release, image.config, signal)).toString('utf8')) as { os?: string; architecture?: string };
  const files = await readFilesFromLayers(image.layers, [IMAGE_REFERENCES_PATH, RELEASE_METADATA_PATH]);
  const refs = files.get(IMAGE_REFERENCES_PATH);
  if (!refs) throw new FerryError('INVALID_INPUT', `${release.name} has no ${IMAGE_REFERENCES_PATH}; it is not an OpenShift release payload.`);
  const metadata = files.get(RELEASE_METADATA_PATH);
  const platform = `${config.os || 'unknown'}/${config.architecture || 'unknown'}`;
  return {
    digest: image.top,
    components: parseImageReferences(refs.toString('utf8')),
    version: metadata ? parseReleaseMetadata(metadata.toString('utf8')).version : imageReferencesName(refs.toString('utf8')),
    platform: image.index ? `multi (${platform})` : platform,
    goArch: config.architecture || 'unknown',
  };
}

/** Where the release and its components are read from, and the name the binary will know the release by. */
interface ReleaseOrigin {
  release: ImageSource;
  component(c: ReleaseComponent): ImageSource;
  /** The release's pullspec pinned by `digest`, as oc writes it for this input. */
  pinned(digest: string): string;
}

/**
 * The release-architecture placeholder is newer than the other two (older installers lack it): oc
 * fills it where it exists and so does Ferry; the pullspec and version placeholders are what pin the binary, and a binary
 * without them would install or name some other release, so it is refused (oc only warns).
 */
const REQUIRED: readonly PlaceholderKind[] = ['releaseImage', 'releaseVersion'];

/** Fills the placeholders `target` carries while the file streams; refuses the file when a required one is absent. */
export function pinningFilter(target: ExtractTarget, values: Record<PlaceholderKind, string>, where: string): () => FileFilter {
  return () => {
    const filler = new PlaceholderFiller(target.inject.map((kind) => ({ kind, value: values[kind] })));
    return {
      stream: filler,
      accept: () => {
        const missing = filler.missing().filter((k) => REQUIRED.includes(k));
        if (missing.length > 0) {
          throw new FerryError('INVALID_INPUT', `${target.path} in ${where} has no ${missing.map((k) => PLACEHOLDERS[k].name).join(' or ')} placeholder, so it cannot be pinned to this release.`, {
            hint: 'It is not a client binary built for release payloads: oc adm release extract would leave it on its built-in default. Nothing was written.',
          });
        }
      },
    };
  };
}

async function extractFrom(origin: ReleaseOrigin, req: ExtractRequest, signal?: AbortSignal): Promise<ExtractResult> {
  const release = await readRelease(origin.release, req.arch ?? 'x86_64', signal);
  const platform = parseCommandOs(req.commandOs, release.goArch);
  const target = selectTarget(req.command, platform, release.goArch);
  const found = release.components.find((c) => c.name === target.image);
  if (!found) {
    throw new FerryError('NOT_FOUND', `The release ${origin.release.name} has no "${target.image}" component, which holds ${target.path} (${req.command} for ${platform.os}/${platform.arch}).`, {
      hint: 'Choose another --command-os, or extract from a release that ships it.',
    });
  }
  const src = origin.component(found);
  const values: Record<PlaceholderKind, string> = {
    releaseImage: origin.pinned(release.digest),
    releaseVersion: release.version,
    releaseArchitecture: release.platform,
  };
  await mkdir(req.toDir, { recursive: true });
  const file = join(req.toDir, target.writeAs ?? target.command);
  const image = await imageOf(src, req.arch ?? 'x86_64', signal);
  const out = await extractFileFromLayers(image.layers, target.path, file, 0o755, pinningFilter(target, values, src.name));
  return {
    file,
    bytes: out.bytes,
    command: req.command,
    platform: `${platform.os}/${platform.arch}`,
    component: formatReference(found.source),
    image: src.name,
    layer: out.layer,
    ...(target.inject.includes('releaseImage') ? { releaseImage: values.releaseImage } : {}),
    releaseVersion: values.releaseVersion,
    ...(target.inject.includes('releaseArchitecture') ? { releaseArchitecture: values.releaseArchitecture } : {}),
  };
}

function extractFromRegistry(ctx: EngineContext, pullspec: string, req: ExtractRequest): Promise<ExtractResult> {
  const ref = parseReference(pullspec);
  const origin: ReleaseOrigin = {
    release: new DockerSource(ctx, ref),
    component: (c) => new DockerSource(ctx, c.source),
    pinned: (digest) => formatReference(withDigest(ref, digest)),
  };
  return extractFrom(origin, req, ctx.signal);
}

/**
 * On the disconnected side: the release image and the component are read from the volumes, verified.
 * `mirror` (HOST:PORT/NAMESPACE the transfer was pushed to) makes the binary name the release there.
 */
async function extractFromTransfer(fromDir: string, req: ExtractRequest & { mirror?: string }, signal?: AbortSignal): Promise<ExtractResult> {
  const target = req.mirror === undefined ? undefined : parseMirrorTarget(req.mirror);
  const reader = await TransferReader.open(fromDir);
  const images = reader.manifest.images;
  // The primary release: of an upgrade path, the newest, the one a cluster is installed at.
  const primary = carriedReleases(reader.manifest).find((r) => r.primary)?.release;
  const release = images.find((i) => i.role === 'release' && (!primary || i.digest === primary.digest));
  if (!release) {
    throw new FerryError('NOT_FOUND', `The transfer in ${fromDir} holds no release image.`, { hint: 'Extract from a transfer written with ferry mirror --release.' });
  }
  const origin: ReleaseOrigin = {
    release: new MediaSource(reader, release),
    component: (c) => {
      const image = images.find((i) => i.digest === c.source.digest);
      if (!image) {
        throw new FerryError('NOT_FOUND', `The transfer in ${fromDir} does not hold ${formatReference(c.source)} (component "${c.name}" of the release).`, {
          hint: 'Write the transfer with the whole release, or extract on the connected side with --release.',
        });
      }
      return new MediaSource(reader, image);
    },
    pinned: (digest) =>
      target
        ? mirrorLocationByDigest({ source: release.source, role: 'release', digest }, target)
        : formatReference(withDigest(parseReference(release.source), digest)),
  };
  return extractFrom(origin, req, signal);
}

/** `ferry extract` for every face (the CLI, the app's extract job): where the release is read from, and what to write. */
export interface ExtractOptions extends ExtractRequest {
  /** The release pullspec in a registry (the source, or a mirror it was pushed to). */
  release?: string;
  /** Or a transfer directory holding the release (the disconnected side). */
  fromDir?: string;
  /** With `fromDir`: the mirror HOST:PORT/NAMESPACE the transfer was pushed to; the binary names the release there. */
  mirror?: string;
  signal?: AbortSignal;
}

export async function extractOperation(opts: ExtractOptions, openEngine: OpenEngine): Promise<ExtractResult> {
  const req: ExtractRequest = { command: opts.command, toDir: opts.toDir, ...(opts.arch ? { arch: opts.arch } : {}), ...(opts.commandOs ? { commandOs: opts.commandOs } : {}) };
  if (opts.fromDir) return extractFromTransfer(opts.fromDir, { ...req, ...(opts.mirror ? { mirror: opts.mirror } : {}) }, opts.signal);
  if (opts.mirror) {
    throw new FerryError('USAGE', '--mirror goes with --from-dir.', { hint: 'To pin the binary to the release in a mirror, extract from it: --release HOST:PORT/NS/ocp-release:VERSION-ARCH.' });
  }
  const release = opts.release;
  if (!release) throw new FerryError('USAGE', 'Which release?', { hint: 'Give --release PULLSPEC, --version X.Y.Z, or --from-dir TRANSFER.' });
  return openEngine((ctx) => extractFromRegistry(ctx, release, req));
}
