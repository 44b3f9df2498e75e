// Peak memory of a mirror to disk of a full-size payload (issue 16: under 300 MB with --parallel 16 on a
// release of about 190 components): the faithful release (test/support/faithful-release.ts, the 183
// components of a real payload, small layers), so what is measured is what grows with the number of
// images, blobs and blobs in flight, not with their bytes.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pushFaithfulRelease } from '../test/support/faithful-release';
import type { TestWorld } from '../test/support/world';
import { Runs, type ToolRun } from './runs';

export const RSS_PARALLEL = 16;

export interface ReleaseRss {
  images: number;
  blobs: number;
  parallel: number;
  ferry: ToolRun;
}

/** `ferry` runs the built CLI and resolves with its peak RSS in MiB. */
export async function releaseRss(world: TestWorld, work: string, ferry: (args: string[]) => Promise<number>, repeat: number): Promise<ReleaseRss> {
  const release = await pushFaithfulRelease(world);
  const toDir = join(work, 'rss-transfer');
  const runs = new Runs();
  for (let i = 0; i < repeat; i++) {
    await runs.time(() =>
      ferry([
        'mirror', '--release', release.quayTagged, '--to-dir', toDir,
        '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`,
        '--authfile', world.authfile, '--ca-file', world.ca.certPath, '--parallel', String(RSS_PARALLEL),
      ]),
    );
    await rm(toDir, { recursive: true, force: true });
  }
  return { images: release.components.length + 1, blobs: release.blobs.size, parallel: RSS_PARALLEL, ferry: runs.result() };
}

export function reportRss(r: ReleaseRss): string {
  const runs = r.ferry.runs.map((s) => s.toFixed(1)).join(', ');
  return `full-size release mirror-to-disk (loopback): ${r.images} images, ${r.blobs} blobs, ferry --parallel ${r.parallel}: peak RSS ${r.ferry.peakRssMiB?.toFixed(0)} MiB (goal < 300), ${r.ferry.seconds.toFixed(2)} s [${runs}]`;
}
