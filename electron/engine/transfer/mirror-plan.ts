import { FerryError } from '../../../shared/errors';
import { parseReference, repositoryName, type ImageReference } from '../../../shared/reference';
import type { CatalogRequest, ImageSetRecord, RequestedContent } from '../../../shared/transfer/manifest';
import { planCatalog } from '../catalog/plan-catalog';
import type { EngineContext } from '../context';
import { DEFAULT_REGISTRY_IMAGE, nodePlatformFor, pinRegistryImage, type PinnedRegistryImage } from '../registry-kit/registry-image';
import type { SignatureOptions } from '../release-signatures/release-signatures';
import type { GraphDataRequest } from '../update-graph/graph-data';
import { planGraphImage } from '../update-graph/graph-image';
import { leftOutIn, retriedIn } from './keep-going';
import { planTransfer, type PlannedImage, type TransferPlan } from './plan';

/**
 * What an operator asks to mirror, planned once for every face: the CLI's `ferry mirror`, the app's
 * plan step and its mirror job all call this, so the plan the user saw is the plan that is written
 * and the request recorded in transfer.json is the same whichever face made it.
 */
export interface MirrorRequest {
  /** The primary release: the newest of an upgrade path. */
  release?: string;
  /** The other releases of an upgrade path (`--config` with a channel range), in path order, carried with `release`. */
  releases?: string[];
  arch?: string;
  /** Extra images, as the user listed them. */
  images: string[];
  /** Carry the mirror registry's own image: true for the default one, or a reference. */
  withRegistry?: string | true;
  /** The registry node's platform (default: the release architecture's). */
  registryPlatform?: string;
  /** The receipt.json or transfer.json a delta is written against, as the user named it. */
  since?: string;
  /** Fetch and carry the release's signatures with these settings. */
  signatures?: SignatureOptions;
  /** Operator catalog selections: their bundle and related images and a filtered catalog each. */
  catalogs?: CatalogRequest[];
  /** Stop at the first image that fails, whatever its kind (default: only release content stops the run). */
  failFast?: boolean;
  /** The transfer directory: a rerun into a partial transfer there plans the images it failed last (keep-going.ts). */
  toDir?: string;
  /** The ImageSetConfiguration these came from (`--config`), recorded with the request. */
  imageSet?: ImageSetRecord;
  /** Carry the update service's graph-data image, built from the graph data fetched with these settings. */
  graph?: GraphDataRequest;
  /** Each image asked for, as soon as its manifests are known (PlanInput.onPlanned). */
  onPlanned?: (image: PlannedImage) => void;
}

export interface MirrorPlan {
  plan: TransferPlan;
  registry?: PinnedRegistryImage;
  /** For transfer.json: what was asked, so a resume or a later delta can repeat it. */
  requested: RequestedContent;
}

/**
 * An image Ferry builds takes a tag in the mirror (a filtered catalog its catalog's, the graph image
 * openshift/graph-image:latest); anything else asked for under the same repository and tag (the original catalog)
 * would overwrite it, or be overwritten, depending on which push came last. Push keeps an extra image's path under
 * the namespace whatever its registry, so the registry does not tell them apart.
 */
function refuseTagClash(images: readonly string[], generated: ReadonlyArray<{ ref: ImageReference; what: string }>): void {
  for (const image of images) {
    const ref = parseReference(image);
    const clash = generated.find(({ ref: f }) => f.tag !== undefined && f.repository === ref.repository && f.tag === (ref.tag ?? (ref.digest ? undefined : 'latest')));
    if (clash) {
      throw new FerryError('USAGE', `${image} would be pushed under the tag ${clash.ref.tag} that ${clash.what} takes.`, {
        hint: `To carry it as well, give it by digest only (${repositoryName(ref)}@sha256:…).`,
      });
    }
  }
}

export async function planMirror(ctx: EngineContext, req: MirrorRequest): Promise<MirrorPlan> {
  const registry = req.withRegistry
    ? await pinRegistryImage(ctx, req.withRegistry === true ? DEFAULT_REGISTRY_IMAGE : req.withRegistry, req.registryPlatform ?? nodePlatformFor(req.arch ?? req.release))
    : undefined;
  // Catalogs before the images: a selection that lacks a dependency is refused before any image is planned.
  const catalogs = [];
  for (const c of req.catalogs ?? []) catalogs.push(await planCatalog(ctx, c));
  const graph = req.graph ? await planGraphImage(ctx, req.graph) : undefined;
  const generated = [...catalogs.map((c) => c.filtered), ...(graph ? [graph.image] : [])];
  refuseTagClash(req.images, [
    ...catalogs.map((c) => ({ ref: c.filtered.ref, what: `the filtered catalog of ${repositoryName(c.filtered.ref)}` })),
    ...(graph ? [{ ref: graph.image.ref, what: 'the update graph image' }] : []),
  ]);
  const plan = await planTransfer(ctx, {
    ...(req.release ? { release: req.release } : {}),
    ...(req.releases?.length ? { releases: req.releases } : {}),
    ...(req.arch ? { arch: req.arch } : {}),
    images: [...req.images, ...(registry ? [registry.source] : []), ...catalogs.flatMap((c) => c.images)],
    ...(req.signatures ? { signatures: req.signatures } : {}),
    ...(generated.length ? { generated } : {}),
    ...(req.failFast ? { failFast: true } : {}),
    ...(req.toDir ? { retried: await retriedIn(req.toDir), leftOut: await leftOutIn(req.toDir) } : {}),
    ...(req.onPlanned ? { onPlanned: req.onPlanned } : {}),
  });
  if (catalogs.length) plan.catalogs = catalogs.map((c) => c.record);
  if (graph) plan.graph = graph.record;
  return {
    plan,
    ...(registry ? { registry } : {}),
    requested: {
      ...(req.release ? { release: req.release } : {}),
      images: req.images,
      ...(req.since ? { since: req.since } : {}),
      ...(registry ? { registry } : {}),
      ...(req.catalogs?.length ? { catalogs: req.catalogs } : {}),
      ...(req.imageSet ? { imageSet: req.imageSet } : {}),
    },
  };
}
