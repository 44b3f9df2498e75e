import { sha256 } from './oci-layout';
import { skopeo, type TestWorld } from './world';

export interface PushedManifest {
  digest: string;
  mediaType: string;
  /** The manifest bytes as the registry serves them. */
  raw: string;
}

export interface LayoutPushOptions {
  /** `v2s2` converts an OCI image to a Docker schema2 manifest on the way (new manifest digest). */
  format?: 'v2s2' | 'oci';
  /** Keep an index and push every child (skopeo --all). */
  all?: boolean;
}

/**
 * Pushes `oci:LAYOUT:name` to `docker://destRef` with real skopeo, then reads the manifest back from
 * the registry so the reported digest is the one the registry really holds. Without a format change
 * skopeo must keep the bytes (--preserve-digests), so the layout's digests are the registry's too.
 */
export async function pushFromLayout(
  world: TestWorld,
  layoutDir: string,
  name: string,
  destRef: string,
  opts: LayoutPushOptions = {},
): Promise<PushedManifest> {
  const flags = ['--quiet', ...(opts.all ? ['--all'] : [])];
  flags.push(...(opts.format ? ['--format', opts.format] : ['--preserve-digests']));
  await skopeo(world, ['copy', ...flags, `oci:${layoutDir}:${name}`, `docker://${destRef}`]);
  return inspectManifest(world, destRef);
}

export async function inspectManifest(world: TestWorld, ref: string): Promise<PushedManifest> {
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
