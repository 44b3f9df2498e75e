import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MEDIA, sha256, type OciLayoutWriter } from './oci-layout';
import { skopeo, type TestWorld } from './world';

export interface PushedManifest {
  digest: string;
  mediaType: string;
}

export interface LayoutPushOptions {
  /** `v2s2` converts an OCI image to Docker schema2 (an index to a Docker manifest list) on the way: new digests. */
  format?: 'v2s2';
  /** Keep an index and push every child (skopeo --all). */
  all?: boolean;
  /** Push an index without its children (skopeo --multi-arch index-only): they must be there already. */
  indexOnly?: boolean;
}

/**
 * distribution's filesystem driver rewrites a blob's link file in place, so a HEAD racing another push of the same
 * layer into the same repository (components share base layers, and fixtures push several at once) can read it
 * empty and answer 500. skopeo does not retry that (not a retryable error to containers/common), so the fixture
 * does, a few times: the registry is not what these pushes test.
 */
async function copyRetryingRace(world: TestWorld, args: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await skopeo(world, args);
      return;
    } catch (e) {
      if (attempt >= 3 || !/: 500 \(Internal Server Error\)/.test(String((e as Error).message))) throw e;
    }
  }
}

/**
 * Pushes `oci:LAYOUT:name` to `docker://destRef` with real skopeo. The digest is the one skopeo
 * reports for the manifest it uploaded (--digestfile). Without a format change skopeo must keep the
 * bytes (--preserve-digests), so the layout's digests, children's included, are the registry's too.
 */
export async function pushFromLayout(
  world: TestWorld,
  layout: OciLayoutWriter,
  name: string,
  destRef: string,
  opts: LayoutPushOptions = {},
): Promise<PushedManifest> {
  const digestFile = join(layout.dir, `.digest-${randomBytes(6).toString('hex')}`);
  const flags = ['--quiet', '--digestfile', digestFile, ...(opts.all ? ['--all'] : []), ...(opts.indexOnly ? ['--multi-arch', 'index-only'] : [])];
  flags.push(...(opts.format ? ['--format', opts.format] : ['--preserve-digests']));
  try {
    await copyRetryingRace(world, ['copy', ...flags, `oci:${layout.dir}:${name}`, `docker://${destRef}`]);
    const digest = (await readFile(digestFile, 'utf8')).trim();
    const built = layout.descriptor(name).mediaType;
    if (opts.format !== 'v2s2') return { digest, mediaType: built };
    return { digest, mediaType: built === MEDIA.ociIndex ? MEDIA.dockerList : MEDIA.dockerManifest };
  } finally {
    await rm(digestFile, { force: true });
  }
}

/** Reads a manifest back from a registry with skopeo: its digest, media type and bytes. */
export async function inspectManifest(world: TestWorld, ref: string): Promise<PushedManifest & { raw: string }> {
  const { stdout: raw } = await skopeo(world, ['inspect', '--raw', `docker://${ref}`]);
  const mediaType = (JSON.parse(raw) as { mediaType?: string }).mediaType;
  if (!mediaType) throw new Error(`manifest of ${ref} has no mediaType field`);
  return { digest: sha256(raw), mediaType, raw };
}

/** Runs `tasks` with at most `limit` in flight (skopeo processes are heavy on a 2-core machine). */
export async function inBatches<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
