// The WAN scenario (issue 16): the release mirrored to disk through a modelled link in front of the
// source registry (test/support/shaping-proxy.ts), by Ferry and by skopeo four images at a time
// (`copy --all` to dir:, as operators script it). What an operator feels is the fraction of the link
// a tool fills: link limit (unique bytes / total rate) over the tool's time.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inBatches } from '../test/support/push';
import { COMPONENT_REPOSITORY, RELEASE_REPOSITORY, type FixtureRelease } from '../test/support/release';
import { startShapingProxy, type LinkProfile } from '../test/support/shaping-proxy';
import { authfileFor, skopeo, type TestWorld } from '../test/support/world';
import { exec, Runs, skopeoCache, timed, type ToolRun } from './runs';
import { curlBlobs, sourceToken } from './curl';

const MB = 1e6;

export const LINK_PROFILES: LinkProfile[] = [
  { name: '25 MB/s per connection, 100 MB/s total, 15 ms each way', perConnection: 25 * MB, total: 100 * MB, delayMs: 15 },
  { name: '50 MB/s per connection, 125 MB/s total, 40 ms each way', perConnection: 50 * MB, total: 125 * MB, delayMs: 40 },
];

export interface WanFigures {
  profile: string;
  images: number;
  bytes: number;
  /** Unique bytes / total rate: no tool can be faster. */
  linkSeconds: number;
  /** Ferry's --parallel in this run (its default unless BENCH_PARALLEL). */
  parallel: number;
  ferry: ToolRun & { linkFraction: number; connections: number };
  skopeo: ToolRun & { linkFraction: number; connections: number };
  /** curl fetching every unique blob once, `parallel` at a time over as many connections: the wire's limit over this link. */
  curl: ToolRun & { linkFraction: number };
  /** skopeo seconds / ferry seconds. */
  ratio: number;
}

interface WanInput {
  world: TestWorld;
  work: string;
  release: FixtureRelease;
  /** Unique blob bytes of the release with every component. */
  bytes: number;
  /** Runs the built ferry CLI; resolves with its peak RSS in MiB. */
  ferry(args: string[]): Promise<number>;
  repeat: number;
  atOnce: number;
  parallel: number;
}

export async function overWan(input: WanInput, profile: LinkProfile): Promise<WanFigures> {
  const { world, work, release } = input;
  const link = await startShapingProxy(world.source, profile);
  try {
    const authfile = await authfileFor(world, link.host, join(work, 'wan-auth.json'));
    const images = [
      `${link.host}/${RELEASE_REPOSITORY}:${release.version}-x86_64`,
      ...release.components.map((c) => `${link.host}/${COMPONENT_REPOSITORY}@${c.digest}`),
    ];
    const toDir = join(work, 'wan-ferry');
    const dirs = images.map((_, i) => join(work, `wan-skopeo-${i}`));
    const wire = await curlBlobs(world, work, release, { host: link.host, atOnce: input.parallel, http1: true, name: 'wan' });
    const [ferry, sk, curl] = [new Runs(), new Runs(), new Runs()];
    // Connections each tool opened through the link, over all its runs: skopeo's HTTP/2 client holds one per process.
    const opened = { ferry: 0, skopeo: 0 };
    const counting = async (tool: keyof typeof opened, fn: () => Promise<unknown>) => {
      const before = link.connections;
      const value = await fn();
      opened[tool] += link.connections - before;
      return value;
    };
    for (let i = 0; i < input.repeat; i++) {
      await curl.time(wire);
      await ferry.time(() =>
        counting('ferry', () =>
          input.ferry([
            'mirror', '--release', `quay.io/${RELEASE_REPOSITORY}:${release.version}-x86_64`, '--to-dir', toDir,
            '--source-mirror', `quay.io/openshift-release-dev=${link.host}/openshift-release-dev`,
            '--authfile', authfile, '--ca-file', world.ca.certPath, '--parallel', String(input.parallel),
          ]),
        ),
      );
      await rm(toDir, { recursive: true, force: true });
      await skopeoCache.forget();
      await sk.time(() =>
        counting('skopeo', () =>
          inBatches(input.atOnce, images.map((ref, j) => () => skopeo(world, ['copy', '--all', '--quiet', '--authfile', authfile, `docker://${ref}`, `dir:${dirs[j]}`]))),
        ),
      );
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    }
    const linkSeconds = input.bytes / profile.total;
    const fraction = (r: ToolRun) => ({ ...r, linkFraction: linkSeconds / r.seconds });
    const f = ferry.result();
    const s = sk.result();
    return {
      profile: profile.name,
      images: images.length,
      bytes: input.bytes,
      linkSeconds,
      parallel: input.parallel,
      ferry: { ...fraction(f), connections: opened.ferry / input.repeat },
      skopeo: { ...fraction(s), connections: opened.skopeo / input.repeat },
      curl: fraction(curl.result()),
      ratio: s.seconds / f.seconds,
    };
  } finally {
    await link.close();
  }
}

const runsOf = (t: ToolRun) => (t.runs.length > 1 ? ` [${t.runs.map((r) => r.toFixed(1)).join(', ')}]` : '');

export function reportWan(w: WanFigures): string {
  const mib = (w.bytes / 2 ** 20).toFixed(0);
  return (
    `release mirror-to-disk over a WAN (${w.profile}): ${w.images} images, ${mib} MiB unique, link limit ${w.linkSeconds.toFixed(2)} s\n` +
    `  ferry --parallel ${w.parallel}: ${w.ferry.seconds.toFixed(2)} s${runsOf(w.ferry)} = ${w.ferry.linkFraction.toFixed(2)} of the link, ${w.ferry.connections.toFixed(0)} connections, peak RSS ${w.ferry.peakRssMiB?.toFixed(0)} MiB\n` +
    `  skopeo, ${w.images} images 4 at a time: ${w.skopeo.seconds.toFixed(2)} s${runsOf(w.skopeo)} = ${w.skopeo.linkFraction.toFixed(2)} of the link, ${w.skopeo.connections.toFixed(0)} connections\n` +
    `  curl, every unique blob ${w.parallel} at a time (HTTP/1.1): ${w.curl.seconds.toFixed(2)} s${runsOf(w.curl)} = ${w.curl.linkFraction.toFixed(2)} of the link\n` +
    `  skopeo/ferry ${w.ratio.toFixed(2)}x`
  );
}

/** curl alone through the modelled link: what the proxy delivers against what its model promises. */
export interface ProxyFigure {
  profile: string;
  connections: number;
  bytes: number;
  /** Bytes per second through the proxy, and straight to the registry over loopback. */
  proxied: number;
  direct: number;
  /** min(connections × per-connection cap, total cap). */
  model: number;
}

const DOWNLOADS_PER_CONNECTION = 4;

/**
 * The proxy measured on its own: N parallel curl downloads (DOWNLOADS_PER_CONNECTION each, so the TLS
 * handshakes and the first round trips weigh little) of the release's largest blob, through the proxy
 * and direct. If curl cannot fill the model, no tool's figure over this link says anything about the tool.
 */
export async function proxyAlone(world: TestWorld, work: string, release: FixtureRelease, profile: LinkProfile, counts: number[]): Promise<ProxyFigure[]> {
  const [digest, size] = [...release.blobs].reduce((a, b) => (b[1] > a[1] ? b : a));
  const token = await sourceToken(world);
  const link = await startShapingProxy(world.source, profile);
  const curl = async (host: string, n: number): Promise<number> => {
    const config = join(work, `proxy-alone-${n}.cfg`);
    const line = `url = "https://${host}/v2/${COMPONENT_REPOSITORY}/blobs/${digest}"\noutput = "/dev/null"\n`;
    await writeFile(config, line.repeat(n * DOWNLOADS_PER_CONNECTION));
    const { seconds, value } = await timed(() =>
      exec('curl', ['-sS', '--fail', '--http1.1', '--parallel', '--parallel-immediate', '--parallel-max', String(n), '--cacert', world.ca.certPath, '-H', `Authorization: Bearer ${token}`, '-w', '%{size_download}\n', '-K', config]),
    );
    const got = value.trim().split('\n').reduce((t, s) => t + Number(s), 0);
    if (got !== size * n * DOWNLOADS_PER_CONNECTION) throw new Error(`curl fetched ${got} bytes, expected ${size * n * DOWNLOADS_PER_CONNECTION}`);
    return got / seconds;
  };
  try {
    const figures: ProxyFigure[] = [];
    for (const n of counts) {
      figures.push({
        profile: profile.name,
        connections: n,
        bytes: size * n * DOWNLOADS_PER_CONNECTION,
        proxied: await curl(link.host, n),
        direct: await curl(world.source.host, n),
        model: Math.min(n * profile.perConnection, profile.total),
      });
    }
    return figures;
  } finally {
    await link.close();
  }
}

export function reportProxy(p: ProxyFigure): string {
  const mbs = (r: number) => `${(r / MB).toFixed(1)} MB/s`;
  return `proxy alone (${p.profile}), curl × ${p.connections}: ${mbs(p.proxied)} through the proxy = ${(p.proxied / p.model).toFixed(2)} of its model ${mbs(p.model)}; direct ${mbs(p.direct)}`;
}
