// Peak memory of a mirror to disk of a full-size payload (issue 16: under 300 MB with --parallel 16 on a
// release of about 190 components): the faithful release (test/support/faithful-release.ts, the 183
// components of a real payload, small layers), so what is measured is what grows with the number of
// images, blobs and blobs in flight, not with their bytes. Through a relay lagging every answer by 10 ms: on
// loopback itself the source is near (EngineContext.parallelFor) and only 4 blobs would be in flight.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startDelayProxy } from '../test/support/delay-proxy';
import { pushFaithfulRelease } from '../test/support/faithful-release';
import { authfileFor, type TestWorld } from '../test/support/world';
import { Runs, type ToolRun } from './runs';

export const RSS_PARALLEL = 16;
const LAG_MS = 10;

export interface ReleaseRss {
  images: number;
  blobs: number;
  parallel: number;
  ferry: ToolRun;
}

/** `ferry` runs the built CLI and resolves with its peak RSS in MiB. */
export async function releaseRss(world: TestWorld, work: string, ferry: (args: string[]) => Promise<number>, repeat: number): Promise<ReleaseRss> {
  const release = await pushFaithfulRelease(world);
  const link = await startDelayProxy(world.source, [LAG_MS]);
  const toDir = join(work, 'rss-transfer');
  const runs = new Runs();
  try {
    const authfile = await authfileFor(world, link.host, join(work, 'rss-auth.json'));
    for (let i = 0; i < repeat; i++) {
      await runs.time(() =>
        ferry([
          'mirror', '--release', release.quayTagged, '--to-dir', toDir,
          '--source-mirror', `quay.io/openshift-release-dev=${link.host}/openshift-release-dev`,
          '--authfile', authfile, '--ca-file', world.ca.certPath, '--parallel', String(RSS_PARALLEL),
        ]),
      );
      await rm(toDir, { recursive: true, force: true });
    }
  } finally {
    await link.close();
  }
  return { images: release.components.length + 1, blobs: release.blobs.size, parallel: RSS_PARALLEL, ferry: runs.result() };
}

export function reportRss(r: ReleaseRss): string {
  const runs = r.ferry.runs.map((s) => s.toFixed(1)).join(', ');
  return `full-size release mirror-to-disk (loopback, every answer ${LAG_MS} ms late): ${r.images} images, ${r.blobs} blobs, ferry --parallel ${r.parallel}: peak RSS ${r.ferry.peakRssMiB?.toFixed(0)} MiB (goal < 300), ${r.ferry.seconds.toFixed(2)} s [${runs}]`;
}
