import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { formatReference, parseReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerSource } from '../copy/docker';
import type { ImageSource } from '../copy/types';
import { extractFileFromLayers, readFilesFromLayers, type LayerSource } from '../image-files/layers';
import { TransferReader } from '../media/reader';
import { IMAGE_REFERENCES_PATH, parseImageReferences, type ReleaseComponent } from '../release/payload';
import { toOciArch } from '../release/resolve';
import { formatPlatform, parseManifest, platformMatches } from '../registry/manifest';
import { MediaSource } from './media-source';

/**
 * `ferry extract --command openshift-install` (oc adm release extract --command): the installer binary
 * out of the release's installer component, from the source registry or from a transfer on media. Only
 * the one file is written; layers stream through and are verified before the file is renamed into place.
 */
export const EXTRACTABLE: Record<string, { component: string; path: string }> = {
  'openshift-install': { component: 'installer', path: 'usr/bin/openshift-install' },
};

export interface ExtractResult {
  file: string;
  bytes: number;
  component: string;
  image: string;
  layer: string;
}

/** The layers of an image (of `arch`'s platform when the image is an index), bottom-up, each a verified stream. */
async function imageLayers(src: ImageSource, arch: string, signal?: AbortSignal): Promise<LayerSource[]> {
  let manifest = await src.getManifest(undefined, signal);
  let parsed = parseManifest(manifest.bytes, manifest.mediaType, src.name);
  if (parsed.kind === 'index') {
    const want = { os: 'linux', architecture: toOciArch(arch) };
    const child = parsed.manifests.find((m) => platformMatches(want, m.platform));
    if (!child) throw new FerryError('NOT_FOUND', `${src.name} has no ${formatPlatform(want)} image.`, { hint: 'Pass the --arch of the cluster you install.' });
    manifest = await src.getManifest(child.digest, signal);
    parsed = parseManifest(manifest.bytes, manifest.mediaType, `${src.name}@${child.digest}`);
  }
  if (parsed.kind !== 'image') throw new FerryError('UNSUPPORTED', `${src.name} is a ${parsed.mediaType} manifest, from which Ferry cannot extract files.`);
  return parsed.layers.map((layer) => ({ digest: layer.digest, open: () => src.openBlob(layer, { image: src.name, ...(signal ? { signal } : {}) }) }));
}

async function releaseComponents(release: ImageSource, arch: string, signal?: AbortSignal): Promise<ReleaseComponent[]> {
  const files = await readFilesFromLayers(await imageLayers(release, arch, signal), [IMAGE_REFERENCES_PATH]);
  const refs = files.get(IMAGE_REFERENCES_PATH);
  if (!refs) throw new FerryError('INVALID_INPUT', `${release.name} has no ${IMAGE_REFERENCES_PATH}; it is not an OpenShift release payload.`);
  return parseImageReferences(refs.toString('utf8'));
}

function commandOf(command: string): { component: string; path: string } {
  const known = EXTRACTABLE[command];
  if (!known) {
    throw new FerryError('USAGE', `Ferry cannot extract the command "${command}".`, { hint: `Known commands: ${Object.keys(EXTRACTABLE).join(', ')}.` });
  }
  return known;
}

/** Where the release and its components are read from: the registries (with --source-mirror) or a transfer. */
interface ReleaseOrigin {
  release: ImageSource;
  component(c: ReleaseComponent): ImageSource;
}

async function extractFrom(origin: ReleaseOrigin, command: string, toDir: string, arch: string, signal?: AbortSignal): Promise<ExtractResult> {
  const { component, path } = commandOf(command);
  const components = await releaseComponents(origin.release, arch, signal);
  const found = components.find((c) => c.name === component);
  if (!found) throw new FerryError('NOT_FOUND', `The release ${origin.release.name} has no "${component}" component, which holds ${command}.`);
  const src = origin.component(found);
  await mkdir(toDir, { recursive: true });
  const file = join(toDir, command);
  const out = await extractFileFromLayers(await imageLayers(src, arch, signal), path, file, 0o755);
  return { file, bytes: out.bytes, component: formatReference(found.source), image: src.name, layer: out.layer };
}

export function extractFromRegistry(ctx: EngineContext, pullspec: string, command: string, toDir: string, arch = 'x86_64'): Promise<ExtractResult> {
  const origin: ReleaseOrigin = { release: new DockerSource(ctx, parseReference(pullspec)), component: (c) => new DockerSource(ctx, c.source) };
  return extractFrom(origin, command, toDir, arch, ctx.signal);
}

/** On the disconnected side: the release image and the component are read from the volumes, verified. */
export async function extractFromTransfer(fromDir: string, command: string, toDir: string, arch = 'x86_64', signal?: AbortSignal): Promise<ExtractResult> {
  const reader = await TransferReader.open(fromDir);
  const images = reader.manifest.images;
  const release = images.find((i) => i.role === 'release');
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
  };
  return extractFrom(origin, command, toDir, arch, signal);
}
