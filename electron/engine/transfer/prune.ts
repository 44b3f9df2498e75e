import { FerryError } from '../../../shared/errors';
import { parseMirrorTarget, type MirrorTarget } from '../../../shared/mirror-mapping';
import { parseReference } from '../../../shared/reference';
import type { Receipt } from '../../../shared/transfer/receipt';
import { parseReceipt } from '../../../shared/transfer/parse';
import { readInputFile } from '../config/input-file';
import type { EngineContext } from '../context';
import type { RegistryClient } from '../registry/client';
import { parseManifest } from '../registry/manifest';
import type { ConfigKeep } from './prune-config';
import { isSignatureArtifactTag } from './signature-artifacts';

/**
 * `ferry prune`: what a mirror holds that none of the kept transfers needs. The kept set is every digest
 * the kept receipts list (images, their manifests and blobs), so an image shared by an old and a kept
 * release (most components of a z-stream update) is never a candidate; deleting by digest removes the
 * manifest with every tag on it in that repository, which is why a digest any kept transfer names is
 * never deleted. Tags are never deleted on their own: a tag on a kept image costs no bytes, and the kept
 * receipts do not record every tag they rely on (a release's own tag, an extra image's name). Blobs are
 * not deleted either: the registry's garbage collection reclaims them once no manifest links them.
 * What an ImageSetConfiguration keeps (prune-config.ts) joins the receipts' digests; as it names images by their top
 * digest only, what they are made of (children, config, layers) is read from the mirror and kept with them, and so
 * is the signature artifact tagged beside a kept image.
 */
export interface PruneManifest {
  repository: string;
  digest: string;
  /** Tags on it now; empty for an untagged child of a pruned index. */
  tags: string[];
  /** Bytes of its config and layers that no kept image and no earlier entry of the plan uses: what GC can reclaim. */
  bytes: number;
}

export interface PrunePlan {
  target: string;
  /** 'catalog' when the registry listed its repositories; 'receipts' when only the kept receipts' repositories could be examined. */
  listedFrom: 'catalog' | 'receipts';
  repositories: number;
  tagsExamined: number;
  keptImages: number;
  manifests: PruneManifest[];
  /** Tags on images a kept transfer still needs: left in place (they cost no bytes). */
  tagsOnKeptImages: number;
  bytes: number;
  /** Whether the registry accepts deletes ('denied': the credentials may not delete). */
  deletes: 'allowed' | 'disabled' | 'denied';
  /** What the ImageSetConfiguration given with --config kept, and what it selects that the mirror lacks. */
  config?: ConfigKeep & { file: string; digest: string };
}

/** What must stay: the kept receipts and, with --config, what the configuration selects in the mirror. */
export interface PruneKeep {
  receipts: Receipt[];
  config?: ConfigKeep & { file: string; digest: string };
}

export interface PruneResult {
  plan: PrunePlan;
  deleted: PruneManifest[];
}

/** Reads and checks the receipts to keep: each must be of this mirror. */
export async function readKeptReceipts(paths: string[], target: MirrorTarget): Promise<Receipt[]> {
  const out: Receipt[] = [];
  for (const path of paths) {
    const text = (await readInputFile(path, 'the receipt to keep', '--keep')).toString('utf8');
    const receipt = parseReceipt(text, path);
    const of = parseMirrorTarget(receipt.target);
    if (of.registry !== target.registry || of.namespace !== target.namespace) {
      throw new FerryError('INVALID_INPUT', `${path} is the receipt of a push to ${receipt.target}, not to ${formatTarget(target)}.`, {
        hint: 'Keep only receipts of pushes into the mirror being pruned.',
      });
    }
    out.push(receipt);
  }
  return out;
}

function formatTarget(t: MirrorTarget): string {
  return t.namespace ? `${t.registry}/${t.namespace}` : t.registry;
}

const PROBE_DIGEST = `sha256:${'0'.repeat(64)}`;

/**
 * Whether the registry accepts deletes, asked without changing anything: distribution refuses a DELETE
 * with 405 UNSUPPORTED before looking the digest up when `storage.delete.enabled` is off, and answers 404
 * for an unknown digest when it is on.
 */
async function deletesAllowed(client: RegistryClient, repository: string, signal?: AbortSignal): Promise<PrunePlan['deletes']> {
  try {
    return (await client.deleteManifest(repository, PROBE_DIGEST, signal)) === 'unsupported' ? 'disabled' : 'allowed';
  } catch (e) {
    const code = (e as FerryError).code;
    if (code === 'FORBIDDEN' || code === 'AUTH_DENIED' || code === 'AUTH_REQUIRED') return 'denied';
    throw e;
  }
}

export async function planPrune(ctx: EngineContext, mirror: string, keep: PruneKeep): Promise<PrunePlan> {
  const target = parseMirrorTarget(mirror);
  const client = ctx.registry(target.registry);
  const signal = ctx.signal;
  const keptImages = [...keep.receipts.flatMap((r) => r.images.map((i) => i.mirror)), ...(keep.config?.images ?? [])];
  const kept = new Set([...keep.receipts.flatMap((r) => r.blobs), ...keptImages.map((i) => parseReference(i).digest!)]);
  const inNamespace = (repo: string) => !target.namespace || repo.startsWith(`${target.namespace}/`);

  const listed = await client.listRepositories(signal);
  const repositories = listed ? listed.filter(inNamespace) : [...new Set(keptImages.map((i) => parseReference(i).repository))];

  let tagsExamined = 0;
  const byRepo = await Promise.all(
    repositories.map((repository) =>
      ctx.limit(async () => {
        const tags = await client.listTags(repository, signal);
        tagsExamined += tags.length;
        const pointed = await Promise.all(tags.map(async (tag) => ({ tag, digest: (await client.headManifest(repository, tag, signal ? { signal } : {}))?.digest })));
        return { repository, pointed };
      }),
    ),
  );
  const configImages = (keep.config?.images ?? []).map((i) => ({ repository: parseReference(i).repository, digest: parseReference(i).digest! }));
  await keepContents(ctx, client, [...configImages, ...keepSignatureArtifacts(byRepo, kept)], kept);

  const manifests: PruneManifest[] = [];
  let tagsOnKeptImages = 0;
  const counted = new Set<string>();
  for (const { repository, pointed } of byRepo) {
    const candidates = new Map<string, string[]>();
    for (const { tag, digest } of pointed) {
      if (!digest) continue; // deleted between the listing and the HEAD
      if (kept.has(digest)) tagsOnKeptImages++;
      else candidates.set(digest, [...(candidates.get(digest) ?? []), tag]);
    }
    for (const [digest, tags] of candidates) {
      for (const entry of await manifestEntries(client, repository, digest, kept, counted, signal)) {
        manifests.push({ ...entry, tags: entry.digest === digest ? tags.sort() : [] });
      }
    }
  }
  // A child of a pruned index may also carry a tag of its own: one entry per manifest.
  const unique = new Map<string, PruneManifest>();
  for (const m of manifests) {
    const key = `${m.repository}@${m.digest}`;
    const seen = unique.get(key);
    unique.set(key, seen ? { ...seen, tags: [...new Set([...seen.tags, ...m.tags])].sort(), bytes: seen.bytes + m.bytes } : m);
  }
  const probeRepo = repositories[0] ?? (target.namespace ? `${target.namespace}/ferry-probe` : 'ferry-probe');
  const deletes = await deletesAllowed(client, probeRepo, signal);
  const planned = [...unique.values()];
  return {
    target: formatTarget(target),
    listedFrom: listed ? 'catalog' : 'receipts',
    repositories: repositories.length,
    tagsExamined,
    keptImages: new Set(keptImages).size,
    manifests: planned,
    tagsOnKeptImages,
    bytes: planned.reduce((n, m) => n + m.bytes, 0),
    deletes,
    ...(keep.config ? { config: keep.config } : {}),
  };
}

/**
 * Adds to `kept` the signature artifacts tagged beside a kept image (`sha256-<hex>.sig`, the referrers tag
 * `sha256-<hex>`); answers their locations. A receipt lists them already; a configuration names images only.
 */
function keepSignatureArtifacts(
  byRepo: ReadonlyArray<{ repository: string; pointed: ReadonlyArray<{ tag: string; digest?: string }> }>,
  kept: Set<string>,
): Array<{ repository: string; digest: string }> {
  const out: Array<{ repository: string; digest: string }> = [];
  for (const { repository, pointed } of byRepo) {
    for (const { tag, digest } of pointed) {
      if (!digest || kept.has(digest) || !isSignatureArtifactTag(tag) || !kept.has(tag.replace(/\.sig$/, '').replace('-', ':'))) continue;
      kept.add(digest);
      out.push({ repository, digest });
    }
  }
  return out;
}

/**
 * Adds to `kept` what the given kept manifests are made of (an index's children, an image's config and layers), as a
 * receipt lists it: so a child of a kept list is never pruned, and a blob a kept image shares is not counted as
 * reclaimable. One that is not in the mirror has nothing to keep.
 */
async function keepContents(ctx: EngineContext, client: RegistryClient, manifests: ReadonlyArray<{ repository: string; digest: string }>, kept: Set<string>): Promise<void> {
  const seen = new Set<string>();
  const visit = async (repository: string, digest: string): Promise<void> => {
    if (seen.has(`${repository}@${digest}`)) return;
    seen.add(`${repository}@${digest}`);
    kept.add(digest);
    let fetched;
    try {
      fetched = await ctx.checks(() => client.getManifest(repository, digest, ctx.signal ? { signal: ctx.signal } : {}));
    } catch (e) {
      if (e instanceof FerryError && e.code === 'NOT_FOUND') return;
      throw e;
    }
    const parsed = parseManifest(fetched.bytes, fetched.mediaType, `${client.host}/${repository}@${digest}`);
    if (parsed.kind === 'image') for (const d of [parsed.config, ...parsed.layers]) kept.add(d.digest);
    if (parsed.kind === 'index') await Promise.all(parsed.manifests.map((c) => visit(repository, c.digest)));
  };
  await Promise.all(manifests.map((m) => visit(m.repository, m.digest)));
}

/**
 * The manifest and, for an index, its children that no kept transfer names, parents first, each with the
 * bytes only it brings. `counted` spans the whole plan so a blob shared by two pruned images counts once.
 */
async function manifestEntries(
  client: RegistryClient,
  repository: string,
  digest: string,
  kept: Set<string>,
  counted: Set<string>,
  signal?: AbortSignal,
): Promise<Array<{ repository: string; digest: string; bytes: number }>> {
  const fetched = await client.getManifest(repository, digest, signal ? { signal } : {});
  const parsed = parseManifest(fetched.bytes, fetched.mediaType, `${client.host}/${repository}@${digest}`);
  const own = (d: string, size: number) => {
    if (kept.has(d) || counted.has(d)) return 0;
    counted.add(d);
    return size;
  };
  const bytes = own(digest, fetched.bytes.length);
  if (parsed.kind === 'index') {
    const children = parsed.manifests.filter((c) => !kept.has(c.digest));
    const nested = [];
    for (const c of children) nested.push(...(await manifestEntries(client, repository, c.digest, kept, counted, signal)));
    return [{ repository, digest, bytes }, ...nested];
  }
  const blobs = parsed.kind === 'image' ? [parsed.config, ...parsed.layers].reduce((n, d) => n + own(d.digest, d.size), 0) : 0;
  return [{ repository, digest, bytes: bytes + blobs }];
}

/**
 * Deletes what the plan names by digest, parents before their children, after checking that the registry
 * allows it. A manifest already gone counts as deleted: a second prune, or someone else, got there first.
 */
export async function applyPrune(ctx: EngineContext, plan: PrunePlan): Promise<PruneResult> {
  if (plan.deletes !== 'allowed') throw deletesRefused(plan);
  const target = parseMirrorTarget(plan.target);
  const client = ctx.registry(target.registry);
  const deleted: PruneManifest[] = [];
  for (const m of plan.manifests) {
    const outcome = await client.deleteManifest(m.repository, m.digest, ctx.signal);
    if (outcome === 'unsupported') throw deletesRefused({ ...plan, deletes: 'disabled' });
    deleted.push(m);
  }
  return { plan, deleted };
}

function deletesRefused(plan: PrunePlan): FerryError {
  return plan.deletes === 'denied'
    ? new FerryError('FORBIDDEN', `${plan.target}: the credentials may not delete from this registry.`, {
        hint: 'Use an account with delete permission on the mirror namespace (distribution token auth: the "delete" action).',
      })
    : new FerryError('UNSUPPORTED', `${plan.target}: the registry does not allow deletes; nothing was deleted.`, {
        hint: 'Enable deletes in the registry (distribution: storage.delete.enabled: true in config.yml, then restart it), or prune through the registry\'s own tools.',
      });
}

/**
 * How the space comes back after a prune: deleting manifests leaves their blobs until the registry collects them.
 * Not `--delete-untagged`: push writes a catalog's bundle and related images, and extra images given by digest, by
 * digest only (destination.ts), and that flag deletes every manifest no tag names, theirs with it.
 */
export const GARBAGE_COLLECTION_ADVICE =
  'Deleting manifests frees no disk space by itself: the registry\'s garbage collection reclaims blobs no manifest links any more. ' +
  'For the distribution registry (docker-registry, registry:2), stop it or set it read-only and run ' +
  '`registry garbage-collect /etc/docker/registry/config.yml`, then start it again; do not add --delete-untagged, which would also delete ' +
  'the images Ferry pushed by digest only (operator bundles and their related images). ' +
  'Quay and the mirror-registry collect in the background once their tag expiration window has passed.';
