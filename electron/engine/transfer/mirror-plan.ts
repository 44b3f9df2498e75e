import type { RequestedContent } from '../../../shared/transfer/manifest';
import type { EngineContext } from '../context';
import { DEFAULT_REGISTRY_IMAGE, nodePlatformFor, pinRegistryImage, type PinnedRegistryImage } from '../registry-kit/registry-image';
import type { SignatureOptions } from '../release-signatures/release-signatures';
import { leftOutIn, retriedIn } from './keep-going';
import { planTransfer, type TransferPlan } from './plan';

/**
 * What an operator asks to mirror, planned once for every face: the CLI's `ferry mirror`, the app's
 * plan step and its mirror job all call this, so the plan the user saw is the plan that is written
 * and the request recorded in transfer.json is the same whichever face made it.
 */
export interface MirrorRequest {
  release?: string;
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
  /** Stop at the first image that fails, whatever its kind (default: only release content stops the run). */
  failFast?: boolean;
  /** The transfer directory: a rerun into a partial transfer there plans the images it failed last (keep-going.ts). */
  toDir?: string;
}

export interface MirrorPlan {
  plan: TransferPlan;
  registry?: PinnedRegistryImage;
  /** For transfer.json: what was asked, so a resume or a later delta can repeat it. */
  requested: RequestedContent;
}

export async function planMirror(ctx: EngineContext, req: MirrorRequest): Promise<MirrorPlan> {
  const registry = req.withRegistry
    ? await pinRegistryImage(ctx, req.withRegistry === true ? DEFAULT_REGISTRY_IMAGE : req.withRegistry, req.registryPlatform ?? nodePlatformFor(req.arch ?? req.release))
    : undefined;
  const plan = await planTransfer(ctx, {
    ...(req.release ? { release: req.release } : {}),
    ...(req.arch ? { arch: req.arch } : {}),
    images: registry ? [...req.images, registry.source] : req.images,
    ...(req.signatures ? { signatures: req.signatures } : {}),
    ...(req.failFast ? { failFast: true } : {}),
    ...(req.toDir ? { retried: await retriedIn(req.toDir), leftOut: await leftOutIn(req.toDir) } : {}),
  });
  return {
    plan,
    ...(registry ? { registry } : {}),
    requested: { ...(req.release ? { release: req.release } : {}), images: req.images, ...(req.since ? { since: req.since } : {}), ...(registry ? { registry } : {}) },
  };
}
