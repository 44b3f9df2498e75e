import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import {
  COMPONENT_SOURCE,
  RELEASE_SOURCE,
  mirrorMappings,
  parseMirrorTarget,
  type ImageRole,
  type MirrorMapping,
  type MirrorTarget,
} from '../../../shared/mirror-mapping';
import { parseReference, repositoryName } from '../../../shared/reference';
import { TRANSFER_FILE } from '../../../shared/transfer/manifest';
import { parseTransferManifest } from '../../../shared/transfer/parse';

/**
 * Where the cluster configuration's source→mirror pairs come from: a transfer directory's
 * transfer.json (the normal case on the disconnected side), or explicit release/image references
 * (standalone use). Either way the pairs come from `mirrorMappings`, so they match what push wrote.
 */
export interface MirrorInput {
  fromDir?: string;
  /** A release pullspec: adds the release and component repositories. */
  release?: string;
  /** Extra image references, mirrored under NAMESPACE with their own path. */
  images?: string[];
  mirror: string;
}

export interface ResolvedMirrorInput {
  target: MirrorTarget;
  mappings: MirrorMapping[];
}

async function imagesFromDir(dir: string): Promise<Array<{ source: string; role: ImageRole }>> {
  const path = join(dir, TRANSFER_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FerryError('INVALID_INPUT', `Cannot read ${path}${code === 'ENOENT' ? ': there is no transfer.json in that directory' : ` (${code ?? 'unknown error'})`}.`, {
      hint: 'Point --from-dir at the transfer directory (the one holding transfer.json and the ferry-*.tar volumes).',
      cause: e,
    });
  }
  const manifest = parseTransferManifest(text, path);
  // mirror.sources names every repository push wrote; images adds any not listed there. The graph-data image is
  // Ferry's own (no cluster pulls it by a source name: the UpdateService names it in the mirror), so no mirror set
  // redirects it, as oc-mirror leaves it out of its IDMS/ITMS.
  const graph = manifest.graph ? repositoryName(parseReference(manifest.graph.image.source)) : undefined;
  return [...manifest.mirror.sources.map((s) => ({ source: s.repository, role: s.role })), ...manifest.images.map((i) => ({ source: i.source, role: i.role }))].filter(
    (i) => graph === undefined || repositoryName(parseReference(i.source)) !== graph,
  );
}

function imagesFromReferences(input: MirrorInput): Array<{ source: string; role: ImageRole }> {
  const out: Array<{ source: string; role: ImageRole }> = [];
  if (input.release !== undefined) {
    parseReference(input.release); // a malformed pullspec is an input error even though only its repository pair is used
    out.push({ source: RELEASE_SOURCE, role: 'release' }, { source: COMPONENT_SOURCE, role: 'component' });
  }
  for (const image of input.images ?? []) out.push({ source: image, role: 'extra' });
  return out;
}

export async function resolveMirrorInput(input: MirrorInput): Promise<ResolvedMirrorInput> {
  const target = parseMirrorTarget(input.mirror);
  const images = [...(input.fromDir !== undefined ? await imagesFromDir(input.fromDir) : []), ...imagesFromReferences(input)];
  if (images.length === 0) {
    throw new FerryError('USAGE', 'Nothing to configure: no transfer directory and no images were given.', {
      hint: 'Use --from-dir DIR (a transfer directory), or --release PULLSPEC and/or --image REF.',
    });
  }
  return { target, mappings: mirrorMappings(images, target) };
}
