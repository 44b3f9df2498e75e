import { parseMirrorTarget } from '../../../shared/mirror-mapping';
import { formatReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import type { TransferReader } from '../media/reader';
import { allMirrorTags, mirrorReference } from './destination';
import { locateParentBlobs } from './parent-check';
import { mirroredImage, releaseOf, transferMembers } from './push';

/**
 * The disconnected side's check of the mirror against a transfer: every image present by digest (each
 * of its manifests), the release tag and every component tag pointing at their digests, and, for a
 * delta, every blob taken from the parent present in the mirror. Read-only: HEAD requests only.
 */
export interface MirrorProblem {
  image?: string;
  blob?: string;
  message: string;
}

export interface MirrorCheck {
  ok: boolean;
  target: string;
  images: Array<{ source: string; mirror: string; digest: string; present: boolean }>;
  parentBlobs: { checked: number; missing: number };
  problems: MirrorProblem[];
}

export async function verifyAgainst(ctx: EngineContext, reader: TransferReader, to: string): Promise<MirrorCheck> {
  const target = parseMirrorTarget(to);
  const manifest = reader.manifest;
  const release = releaseOf(manifest);
  const members = transferMembers(manifest);
  const client = ctx.registry(target.registry);
  const problems: MirrorProblem[] = [];

  const images = await Promise.all(
    manifest.images.map((image) =>
      ctx.limit(async () => {
        const mirrored = mirroredImage(image, members);
        const named = mirrorReference(mirrored, target, release);
        const repo = named.repository;
        let present = true;
        for (const digest of image.manifests) {
          const head = await client.headManifest(repo, digest, ctx.signal ? { signal: ctx.signal } : {});
          if (!head) {
            present = false;
            problems.push({ image: image.source, message: `${image.source}: manifest ${digest} is not in ${target.registry}/${repo}.` });
          }
        }
        const tags = allMirrorTags(mirrored, target, release);
        for (const { tag, digest } of present ? tags : []) {
          const tagged = await client.headManifest(repo, tag, ctx.signal ? { signal: ctx.signal } : {});
          if (tagged?.digest !== digest) {
            present = false;
            const where = formatReference({ registry: named.registry, repository: named.repository, tag });
            problems.push({ image: image.source, message: `${where} ${tagged ? `points at ${tagged.digest ?? 'an unknown digest'}` : 'does not exist'}, not ${digest}.` });
          }
        }
        return { source: image.source, mirror: formatReference(named), digest: image.digest, present };
      }),
    ),
  );

  const parent = await locateParentBlobs(ctx, reader, target);
  for (const m of parent.missing) {
    problems.push({
      blob: m.digest,
      ...(m.image ? { image: m.image } : {}),
      message: `Blob ${m.digest} comes from the parent transfer but is not in the mirror${m.repository ? ` (${target.registry}/${m.repository}, needed by ${m.image})` : ''}.`,
    });
  }
  const parentBlobs = { checked: parent.checked, missing: parent.missing.length };
  return { ok: problems.length === 0, target: to, images, parentBlobs, problems };
}

export function renderMirrorCheck(c: MirrorCheck): string {
  const present = c.images.filter((i) => i.present).length;
  const lines = [`Mirror ${c.target}: ${present} of ${c.images.length} image(s) present by digest${c.parentBlobs.checked ? `; ${c.parentBlobs.checked - c.parentBlobs.missing} of ${c.parentBlobs.checked} blob(s) from the parent transfer present` : ''}`];
  for (const p of c.problems) lines.push(`  PROBLEM: ${p.message}`);
  lines.push(c.ok ? 'OK: the mirror holds every image of the transfer.' : 'FAILED: push the transfer (and its parent, for a delta), then check again.');
  return `${lines.join('\n')}\n`;
}
