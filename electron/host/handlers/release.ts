import { isAbsolute } from 'node:path';
import { FerryError } from '../../../shared/errors';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { formatReference } from '../../../shared/reference';
import type { TransferCatalog } from '../../../shared/transfer/manifest';
import { listReleases } from '../../../shared/update-graph';
import { updatePathView } from '../../../shared/update-path';
import { planMirror } from '../../engine/transfer/mirror-plan';
import { planDisk } from '../../engine/transfer/mirror-to-disk';
import { plannedReleases, planTransfer } from '../../engine/transfer/plan';
import { isSignatureArtifactTag } from '../../engine/transfer/signature-artifacts';
import { readSince } from '../../engine/transfer/since';
import { exportMirrorRequest, graphFor, volumeSizeOf, type EngineDefaults } from '../../jobs/engine-options';
import type { SecretStore } from '../../jobs/secrets/secret-store';
import { withHandlerEngine } from './engine';

/** A release payload resolved and planned (every manifest fetched and digest-checked), nothing else moved. */
export function releaseInfo(store: SecretStore, defaults: EngineDefaults, req: ParsedRequestOf<'release.info'>): Promise<ResponseOf<'release.info'>> {
  return withHandlerEngine(store, defaults, req, async (ctx) => {
    const plan = await planTransfer(ctx, { release: req.pullspec });
    const r = plan.release!;
    return {
      pullspec: r.pullspec,
      version: r.version,
      architecture: r.architecture,
      platforms: r.platforms,
      digest: r.digest,
      components: r.components.map((c) => ({ name: c.name, reference: formatReference(c.source), digest: c.source.digest })),
      totalBytes: plan.totalBytes,
      uniqueBytes: plan.uniqueBytes,
    };
  });
}

/** The update graph's releases, newest first; UNREACHABLE offline (the UI then asks for a pullspec). */
export async function releaseList(defaults: EngineDefaults, req: ParsedRequestOf<'release.list'>): Promise<ResponseOf<'release.list'>> {
  const { url, graph } = await graphFor(defaults, req.channel, req.arch);
  return {
    channel: req.channel,
    arch: new URL(url).searchParams.get('arch') ?? req.arch,
    releases: listReleases(graph).map((r) => ({ version: r.version, pullspec: r.payload, conditionalOnly: r.conditionalOnly, risks: r.risks })),
  };
}

/** The range between two versions and the shortest path through it, as `ferry release path` prints them. */
export async function releasePath(defaults: EngineDefaults, req: ParsedRequestOf<'release.path'>): Promise<ResponseOf<'release.path'>> {
  const { url, graph } = await graphFor(defaults, req.channel, req.arch);
  return updatePathView(graph, { channel: req.channel, arch: new URL(url).searchParams.get('arch') ?? req.arch, from: req.from, to: req.to });
}

/** Top manifest digest → the catalog (as requested) that brings it: its bundles, related images and filtered catalog. */
function catalogByDigest(catalogs: readonly TransferCatalog[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of catalogs) {
    for (const image of [...c.images, `${c.filtered.source}@${c.filtered.digest}`]) {
      const digest = /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
      if (digest && !out.has(digest)) out.set(digest, c.source);
    }
  }
  return out;
}

/** What an export would write: images, bytes before and after dedupe, volumes against the free space. */
export async function planExport(store: SecretStore, defaults: EngineDefaults, req: ParsedRequestOf<'plan.export'>): Promise<ResponseOf<'plan.export'>> {
  if (!isAbsolute(req.toDir)) throw new FerryError('INVALID_INPUT', `"${req.toDir}" is not an absolute path.`, { hint: 'Give the full path of the target directory.' });
  if (req.since !== undefined && !isAbsolute(req.since)) throw new FerryError('INVALID_INPUT', `"${req.since}" is not an absolute path.`, { hint: 'Give the full path of the receipt.json (or transfer.json) of the last push.' });
  const volumeSize = volumeSizeOf(req.volumeSize);
  return withHandlerEngine(store, defaults, req, async (ctx) => {
    const since = req.since ? await readSince(req.since) : undefined;
    const { plan, registry } = await planMirror(ctx, await exportMirrorRequest(req, defaults));
    const sigs = plan.releaseSignatures;
    const catalogOf = catalogByDigest(plan.catalogs ?? []);
    // With a receipt, the volumes hold only what the mirror lacks: that is the space the disk needs.
    const layout = await planDisk(plan, req.toDir, volumeSize, since);
    const { volumes: files, ownerBytes } = layout.volumes;
    return {
      images: plan.images.map((i, n) => ({
        source: i.source,
        role: i.role,
        digest: i.digest,
        bytes: i.bytes,
        ...(i.components ? { components: i.components } : {}),
        ...(isSignatureArtifactTag(i.ref.tag) ? { signatureArtifact: true } : {}),
        ...(catalogOf.has(i.digest) ? { catalog: catalogOf.get(i.digest) } : {}),
        written: files.flatMap((f, v) => {
          const bytes = ownerBytes[v]!.get(n);
          return bytes ? [{ volume: f.name, bytes }] : [];
        }),
      })),
      ...(registry ? { registry } : {}),
      totalBytes: plan.totalBytes,
      uniqueBytes: plan.uniqueBytes,
      volumes: { count: files.length, volumeSize: layout.volumes.volumeSize, bytes: layout.volumes.diskBytes, files },
      freeBytes: layout.space.free,
      fits: layout.space.enough,
      ...(sigs ? { releaseSignatures: { verified: sigs.signatures.length, ...(sigs.store ? { store: sigs.store } : {}), warnings: sigs.warnings } } : {}),
      ...(plan.otherReleases
        ? { releases: plannedReleases(plan).map(({ release: r, signatures }) => ({ version: r.version, architecture: r.architecture, digest: r.digest, ...(signatures ? { verified: signatures.signatures.length } : {}) })) }
        : {}),
      ...(plan.failed ? { failed: plan.failed } : {}),
      ...(plan.graph ? { graph: plan.graph } : {}),
    };
  });
}
