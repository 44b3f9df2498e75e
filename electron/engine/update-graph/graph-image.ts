import { formatReference, parseReference, repositoryName, type ImageReference } from '../../../shared/reference';
import type { TransferGraph } from '../../../shared/transfer/manifest';
import type { EngineContext } from '../context';
import { DockerSource } from '../copy/docker';
import { buildLayer } from '../image-files/build-layer';
import { deriveImage, readSourceImages } from '../image-files/derived-image';
import type { PlannedImage } from '../transfer/plan';
import { fetchGraphData, GRAPH_DATA_DIR, type GraphDataRequest } from './graph-data';

/**
 * The graph-data image the OpenShift Update Service reads on the disconnected side, built as oc-mirror v2 builds
 * it (internal/pkg/release/graph.go CreateGraphImage, const.go): the base image `graphBaseImage` with one more
 * layer holding the graph data under `buildGraphDataDir`, and the command that copies it into the volume the
 * update service mounts (`graphDataMountPath`); pushed to `NS/openshift/graph-image:latest` (`graphImageName`),
 * as oc-mirror's disk-to-mirror puts it under the destination. Every platform of the base index is rebuilt, as
 * oc-mirror's ProcessImageIndex does. The base is resolved once and pinned by digest; same data and base, same
 * digest (build-layer.ts).
 */
export const GRAPH_BASE_IMAGE = 'registry.access.redhat.com/ubi9/ubi:latest';
const GRAPH_DATA_MOUNT = '/var/lib/cincinnati/graph-data';
export const GRAPH_DATA_CMD = ['/bin/bash', '-c', `exec cp -rp ${GRAPH_DATA_DIR}/* ${GRAPH_DATA_MOUNT}`];
/**
 * The image exists nowhere before Ferry builds it: named as podman names a locally built image (`localhost/…`).
 * Only its repository and tag matter: push puts it at `NS/openshift/graph-image:latest`.
 */
export const GRAPH_IMAGE: ImageReference = { registry: 'localhost', repository: 'openshift/graph-image', tag: 'latest' };

export interface GraphImagePlan {
  image: PlannedImage;
  record: TransferGraph;
}

export async function planGraphImage(ctx: EngineContext, req: GraphDataRequest): Promise<GraphImagePlan> {
  const data = await fetchGraphData({ ...req, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  const layer = await buildLayer(data.entries);
  const base = parseReference(GRAPH_BASE_IMAGE);
  const source = await readSourceImages(new DockerSource(ctx, base), ctx.signal);
  const pinned: ImageReference = { registry: base.registry, repository: base.repository, digest: source.top.digest };
  const derived = deriveImage(source, { layers: [{ layer, createdBy: `ferry: update service graph data in ${GRAPH_DATA_DIR}` }], cmd: () => GRAPH_DATA_CMD });
  const ref: ImageReference = { ...GRAPH_IMAGE, digest: derived.root.digest };
  const image: PlannedImage = {
    source: formatReference(ref),
    ref,
    role: 'extra',
    digest: derived.root.digest,
    mediaType: derived.root.mediaType,
    root: derived.root,
    images: derived.images,
    bytes: derived.bytes,
    generated: derived.generated,
    layersFrom: pinned,
  };
  return {
    image,
    record: { url: data.url, archiveDigest: data.digest, files: data.files, base: `${repositoryName(base)}@${pinned.digest}`, image: { source: image.source, digest: image.digest } },
  };
}
