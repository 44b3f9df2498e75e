// `npm run bench`: one test world, one run, Ferry (the built CLI, as an operator runs it) against what
// operators script today, on the same TLS and auth. Prints wall times, ratios and Ferry's peak RSS;
// writes .bench/results.json. Not part of `npm test`; sizes can be lowered with the BENCH_* variables.
//
// - registry-to-registry (issue 2): `ferry copy` vs `skopeo copy --all`, one process per image, four
//   at a time, on two image sets: one sharing a base layer (as release images do) and one sharing nothing.
// - release (issue 3): a release made by pushRelease with layers of tens of MiB:
//   (a) skopeo copy --all of every image (release + components) to dir: and from dir: to the mirror,
//       four at a time; (b) the wire limit: every unique blob fetched once with curl over the same TLS
//       with a token from the harness issuer, four at a time, to /dev/null; (c) ferry mirror --to-dir
//       and ferry push --from-dir.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keystream } from '../test/support/bytes';
import { buildCliBundle } from '../test/support/cli-bundle';
import { reportFigures, transferFigures } from './transfer-figures';
import { addImage, addLayer, type BuiltLayer } from '../test/support/layers';
import { OciLayoutWriter } from '../test/support/oci-layout';
import { inBatches, pushFromLayout } from '../test/support/push';
import { COMPONENT_REPOSITORY, pushRelease, RELEASE_REPOSITORY, type FixtureRelease } from '../test/support/release';
import { skopeo, startTestWorld, type TestWorld } from '../test/support/world';

const root = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1024 * 1024;
const IMAGES = Number(process.env.BENCH_IMAGES ?? 6);
const LAYER_MIB = Number(process.env.BENCH_LAYER_MIB ?? 16);
const RELEASE_LAYER_MIB = Number(process.env.BENCH_RELEASE_LAYER_MIB ?? 16);
const AT_ONCE = 4;

interface ToolRun {
  seconds: number;
  peakRssMiB?: number;
}

interface Comparison {
  scenario: string;
  images: number;
  /** Bytes of the unique blobs. */
  bytes: number;
  ferry: ToolRun;
  skopeo: ToolRun;
  /** skopeo seconds / ferry seconds: above 1 means Ferry is faster. */
  ratio: number;
  wire?: { seconds: number; ferryOverWire: number };
}

interface Bench {
  world: TestWorld;
  /** Runs the built ferry CLI; resolves with its peak RSS in MiB. */
  ferry(args: string[]): Promise<number>;
  work: string;
}

function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

/** Times `fn`, after flushing dirty pages so no run pays for the writeback of what ran before it. */
async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  await exec('sync', []);
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

/** A scenario's figures; the ratios are derived here, once. */
function compare(scenario: string, images: number, bytes: number, ferry: ToolRun, skopeoSeconds: number, wireSeconds?: number): Comparison {
  return {
    scenario,
    images,
    bytes,
    ferry,
    skopeo: { seconds: skopeoSeconds },
    ratio: skopeoSeconds / ferry.seconds,
    ...(wireSeconds === undefined ? {} : { wire: { seconds: wireSeconds, ferryOverWire: ferry.seconds / wireSeconds } }),
  };
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

/**
 * IMAGES images of incompressible layers pushed into the source: with `shared`, every image is a
 * common base layer plus one layer of its own (like release components); without, two of its own.
 */
async function pushImageSet(world: TestWorld, name: string, shared: boolean): Promise<{ refs: string[]; bytes: number }> {
  const layout = await new OciLayoutWriter(join(world.dir, `bench-${name}`)).init();
  const size = LAYER_MIB * MiB;
  const layer = (seed: string) => addLayer(layout, [{ path: `data/${seed}.bin`, content: { size, stream: () => keystream(seed, size) } }], { gzip: false });
  const base = shared ? await layer(`${name}-base`) : undefined;
  const unique = new Map<string, number>();
  for (let i = 0; i < IMAGES; i++) {
    const layers: BuiltLayer[] = base ? [base, await layer(`${name}-${i}`)] : [await layer(`${name}-${i}-a`), await layer(`${name}-${i}-b`)];
    for (const l of layers) unique.set(l.descriptor.digest, l.descriptor.size);
    layout.tag(`img${i}`, await addImage(layout, { layers, labels: { bench: `${name}-${i}` } }));
  }
  await layout.save();
  const refs = Array.from({ length: IMAGES }, (_, i) => `${name}/img${i}:v1`);
  await inBatches(2, refs.map((ref, i) => () => pushFromLayout(world, layout, `img${i}`, `${world.source.host}/${ref}`)));
  await rm(layout.dir, { recursive: true, force: true });
  return { refs, bytes: [...unique.values()].reduce((a, b) => a + b, 0) };
}

async function registryToRegistry(bench: Bench, name: string, shared: boolean, run: string): Promise<Comparison> {
  const { world } = bench;
  const set = await pushImageSet(world, name, shared);
  const ferry = await timed(async () =>
    Math.max(
      ...(await inBatches(
        AT_ONCE,
        set.refs.map((ref) => () =>
          bench.ferry(['copy', `docker://${world.source.host}/${ref}`, `docker://${world.mirror.host}/ferry-${run}/${ref}`, '--authfile', world.authfile, '--cert-dir', world.certDir]),
        ),
      )),
    ),
  );
  const sk = await timed(() =>
    inBatches(
      AT_ONCE,
      set.refs.map((ref) => () => skopeo(world, ['copy', '--all', '--quiet', `docker://${world.source.host}/${ref}`, `docker://${world.mirror.host}/skopeo-${run}/${ref}`])),
    ),
  );
  return compare(`registry-to-registry (${name})`, set.refs.length, set.bytes, { seconds: ferry.seconds, peakRssMiB: ferry.value }, sk.seconds);
}

/** The source's token for pulling both release repositories, from the harness issuer (as quay.io hands out). */
async function sourceToken(world: TestWorld): Promise<string> {
  const url = new URL(world.source.realm);
  url.searchParams.set('service', world.source.service);
  url.searchParams.append('scope', `repository:${RELEASE_REPOSITORY}:pull`);
  url.searchParams.append('scope', `repository:${COMPONENT_REPOSITORY}:pull`);
  const out = await exec('curl', ['-sS', '--fail', '--cacert', world.ca.certPath, '-u', `${world.source.username}:${world.source.password}`, url.href]);
  const json = JSON.parse(out) as { token?: string; access_token?: string };
  const token = json.token ?? json.access_token;
  if (!token) throw new Error('the token issuer gave no token');
  return token;
}

/** (b) Every unique blob once, with curl, AT_ONCE transfers at a time, to /dev/null; checks the byte count. */
async function wireLimit(bench: Bench, rel: FixtureRelease): Promise<number> {
  const { world } = bench;
  const releaseManifest = JSON.parse((await skopeo(world, ['inspect', '--raw', `docker://${rel.pullspec}`])).stdout) as { config: { digest: string }; layers: Array<{ digest: string }> };
  const inRelease = new Set([releaseManifest.config.digest, ...releaseManifest.layers.map((l) => l.digest)]);
  const config = join(bench.work, 'curl-blobs.cfg');
  const lines = [...rel.blobs.keys()].map((d) => `url = "${world.source.url}/v2/${inRelease.has(d) ? RELEASE_REPOSITORY : COMPONENT_REPOSITORY}/blobs/${d}"\noutput = "/dev/null"\n`);
  await writeFile(config, lines.join(''));
  const token = await sourceToken(world);
  const expected = [...rel.blobs.values()].reduce((a, b) => a + b, 0);
  const r = await timed(() =>
    exec('curl', ['-sS', '--fail', '--parallel', '--parallel-max', String(AT_ONCE), '--cacert', world.ca.certPath, '-H', `Authorization: Bearer ${token}`, '-w', '%{size_download}\n', '-K', config]),
  );
  const got = r.value.trim().split('\n').reduce((n, s) => n + Number(s), 0);
  if (got !== expected) throw new Error(`curl fetched ${got} bytes, the release's unique blobs are ${expected}`);
  return r.seconds;
}

async function release(bench: Bench, run: string): Promise<Comparison[]> {
  const { world } = bench;
  console.log(`pushing release 4.15.3 with ${RELEASE_LAYER_MIB} MiB layers …`);
  const rel = await pushRelease(world, '4.15.3', { layerBytes: RELEASE_LAYER_MIB * MiB });
  const bytes = [...rel.blobs.values()].reduce((a, b) => a + b, 0);
  const images = [rel.pullspec, ...rel.components.map((c) => `${world.source.host}/${COMPONENT_REPOSITORY}@${c.digest}`)];
  const wire = await wireLimit(bench, rel);

  const flags = ['--authfile', world.authfile, '--ca-file', world.ca.certPath];
  const toDir = join(bench.work, 'ferry-transfer');
  const mirror = await timed(() =>
    bench.ferry(['mirror', '--release', `quay.io/${RELEASE_REPOSITORY}:4.15.3-x86_64`, '--to-dir', toDir, '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`, ...flags]),
  );
  const push = await timed(() => bench.ferry(['push', '--from-dir', toDir, '--to', `${world.mirror.host}/ferry-${run}`, ...flags]));
  await rm(toDir, { recursive: true, force: true });

  // What operators script: one skopeo per image into its own dir: (shared layers fetched again each time), then back out.
  const dirs = images.map((_, i) => join(bench.work, `skopeo-${i}`));
  const target = (ref: string) => `${world.mirror.host}/skopeo-${run}/${ref.slice(world.source.host.length + 1).replace(/@sha256:([0-9a-f]{12}).*/, ':d$1')}`;
  const toDirSk = await timed(() => inBatches(AT_ONCE, images.map((ref, i) => () => skopeo(world, ['copy', '--all', '--quiet', `docker://${ref}`, `dir:${dirs[i]}`]))));
  const fromDirSk = await timed(() => inBatches(AT_ONCE, images.map((ref, i) => () => skopeo(world, ['copy', '--all', '--quiet', `dir:${dirs[i]}`, `docker://${target(ref)}`]))));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));

  return [
    compare('release mirror-to-disk', images.length, bytes, { seconds: mirror.seconds, peakRssMiB: mirror.value }, toDirSk.seconds, wire),
    compare('release push-from-disk', images.length, bytes, { seconds: push.seconds, peakRssMiB: push.value }, fromDirSk.seconds),
  ];
}

function report(r: Comparison): string {
  const wire = r.wire ? `, wire ${r.wire.seconds.toFixed(2)} s, ferry/wire ${r.wire.ferryOverWire.toFixed(2)}x` : '';
  return `${r.scenario}: ${r.images} images, ${mib(r.bytes)} unique — ferry ${r.ferry.seconds.toFixed(2)} s (peak RSS ${r.ferry.peakRssMiB?.toFixed(0)} MiB), skopeo ${r.skopeo.seconds.toFixed(2)} s, skopeo/ferry ${r.ratio.toFixed(2)}x${wire}`;
}

async function main(): Promise<void> {
  const cli = await buildCliBundle('bench');
  const world = await startTestWorld();
  try {
    let n = 0;
    const bench: Bench = {
      world,
      work: join(world.dir, 'bench-work'),
      async ferry(args) {
        const rssFile = join(world.dir, `rss-${n++}`);
        await exec(process.execPath, ['--import', join(root, 'test/support/report-rss.mjs'), cli.entry, ...args], { ...process.env, FERRY_RSS_FILE: rssFile });
        return Number(await readFile(rssFile, 'utf8')) / 1024;
      },
    };
    await mkdir(bench.work, { recursive: true });
    const run = Date.now().toString(36);
    const only = process.env.BENCH_ONLY;
    const results: Comparison[] = [];
    const record = (r: Comparison) => {
      results.push(r);
      console.log(report(r));
    };
    if (!only || only === 'copy') {
      console.log(`pushing 2 × ${IMAGES} images of ${LAYER_MIB} MiB layers (incompressible) …`);
      record(await registryToRegistry(bench, 'shared-base', true, run));
      record(await registryToRegistry(bench, 'no-sharing', false, run));
    }
    if (!only || only === 'release') for (const r of await release(bench, run)) record(r);
    const figures = !only || only === 'transfer' ? await transferFigures(world, bench.work, cli.entry, run) : undefined;
    if (figures) console.log(reportFigures(figures));
    await mkdir(join(root, '.bench'), { recursive: true });
    await writeFile(join(root, '.bench', 'results.json'), `${JSON.stringify({ at: new Date().toISOString(), results, ...(figures ? { figures } : {}) }, null, 2)}\n`);
  } finally {
    await world.stop();
    await cli.remove();
  }
}

await main();
