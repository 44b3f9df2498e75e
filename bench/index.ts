// `npm run bench`: one test world, one run, Ferry (the built CLI, as an operator runs it) against what
// operators script today, on the same TLS and auth. Every timing is taken BENCH_REPEAT times (default 3),
// the tools taking turns, and the median is compared: on a shared 2-core machine one run of the same
// command varied by a quarter. Prints wall times, ratios and Ferry's peak RSS (the highest of its runs);
// writes .bench/results.json with every run. Not part of `npm test`; sizes can be lowered with BENCH_*;
// BENCH_CPU_PROF=DIR has every ferry run write a V8 CPU profile into DIR.
//
// - registry-to-registry (issue 2): `skopeo copy --all`, one process per image, four at a time, vs Ferry
//   the same way (`ferry copy`) and as one `ferry mirror --image ... --to`, on two image sets: one
//   sharing a base layer (as release images do) and one sharing nothing.
// - release (issue 3): a release made by pushRelease with layers of tens of MiB:
//   (a) skopeo copy --all of every image (release + components) to dir: and from dir: to the mirror,
//       four at a time; (b) the wire limit: every unique blob fetched once with curl over the same TLS
//       with a token from the harness issuer, four at a time, to /dev/null; (c) ferry mirror --to-dir
//       and ferry push --from-dir. BENCH_ONLY=loopback runs only this; BENCH_ONLY=release runs it and WAN.
// - WAN (issue 16, bench/wan.ts): the same release mirrored to disk through a modelled link (per-connection
//   cap, total cap, one-way delay) by Ferry (--parallel BENCH_PARALLEL, default its own), by skopeo four
//   images at a time and by curl (every unique blob as many at a time as Ferry); the fraction of the link
//   each fills. Before it, the link alone: N parallel curl downloads through it against its model
//   (BENCH_ONLY=proxy runs only that). After it, Ferry's peak RSS mirroring a full-size release (183
//   components) with --parallel 16 (bench/release-rss.ts; BENCH_ONLY=rss). BENCH_ONLY=wan runs all three.
// - catalog (issue 18, bench/catalog.ts): `ferry mirror --catalog` over a synthetic catalog of hundreds of packages
//   and thousands of images: planning and mirror-to-disk times, bytes and peak RSS. BENCH_ONLY=catalog.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keystream } from '../test/support/bytes';
import { buildCliBundle } from '../test/support/cli-bundle';
import { catalogFigures, reportCatalog } from './catalog';
import { exec, Runs, skopeoCache, type ToolRun } from './runs';
import { DEFAULT_PARALLEL } from '../electron/engine/context';
import { curlBlobs } from './curl';
import { reportFigures, transferFigures } from './transfer-figures';
import { releaseRss, reportRss, type ReleaseRss } from './release-rss';
import { LINK_PROFILES, overWan, proxyAlone, reportProxy, reportWan, type ProxyFigure, type WanFigures } from './wan';
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
/** Ferry's --parallel over the WAN: its default unless BENCH_PARALLEL says otherwise. */
const WAN_PARALLEL = Number(process.env.BENCH_PARALLEL ?? DEFAULT_PARALLEL);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);

interface Comparison {
  scenario: string;
  images: number;
  /** Bytes of the unique blobs. */
  bytes: number;
  ferry: ToolRun;
  skopeo: ToolRun;
  /** skopeo seconds / ferry seconds: above 1 means Ferry is faster. */
  ratio: number;
  wire?: ToolRun & { ferryOverWire: number };
}

interface Bench {
  world: TestWorld;
  /** Runs the built ferry CLI; resolves with its peak RSS in MiB. */
  ferry(args: string[]): Promise<number>;
  work: string;
}

/** A scenario's figures; the ratios are derived here, once, from the medians. */
function compare(scenario: string, images: number, bytes: number, ferry: Runs, skopeo: Runs, wire?: Runs): Comparison {
  const f = ferry.result();
  const sk = skopeo.result();
  const w = wire?.result();
  return {
    scenario,
    images,
    bytes,
    ferry: f,
    skopeo: sk,
    ratio: sk.seconds / f.seconds,
    ...(w ? { wire: { ...w, ferryOverWire: f.seconds / w.seconds } } : {}),
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

/**
 * The image set copied by skopeo, one process per image (as operators script it), and by Ferry twice: the
 * same way with `ferry copy`, and as one `ferry mirror --image ... --to` (Ferry's own way to move a set,
 * which pays Node's start-up once rather than once per image).
 */
async function registryToRegistry(bench: Bench, name: string, shared: boolean, run: string): Promise<Comparison[]> {
  const { world } = bench;
  const set = await pushImageSet(world, name, shared);
  const [perImage, oneProcess, sk] = [new Runs(), new Runs(), new Runs()];
  for (let i = 0; i < REPEAT; i++) {
    // A fresh destination namespace each time, so no run finds the blobs of an earlier one.
    const namespace = (tool: string) => `${world.mirror.host}/${tool}-${run}-${i}`;
    await perImage.time(async () =>
      Math.max(
        ...(await inBatches(
          AT_ONCE,
          set.refs.map((ref) => () => bench.ferry(['copy', `docker://${world.source.host}/${ref}`, `docker://${namespace('ferry')}/${ref}`, '--authfile', world.authfile, '--cert-dir', world.certDir])),
        )),
      ),
    );
    await oneProcess.time(() =>
      bench.ferry(['mirror', ...set.refs.flatMap((ref) => ['--image', `${world.source.host}/${ref}`]), '--to', namespace('ferry-set'), '--authfile', world.authfile, '--ca-file', world.ca.certPath]),
    );
    await skopeoCache.forget();
    await sk.time(() => inBatches(AT_ONCE, set.refs.map((ref) => () => skopeo(world, ['copy', '--all', '--quiet', `docker://${world.source.host}/${ref}`, `docker://${namespace('skopeo')}/${ref}`]))));
  }
  return [
    compare(`registry-to-registry (${name}), ferry copy per image`, set.refs.length, set.bytes, perImage, sk),
    compare(`registry-to-registry (${name}), one ferry mirror`, set.refs.length, set.bytes, oneProcess, sk),
  ];
}

const uniqueBytes = (rel: FixtureRelease) => [...rel.blobs.values()].reduce((a, b) => a + b, 0);

async function release(bench: Bench, rel: FixtureRelease, run: string): Promise<Comparison[]> {
  const { world } = bench;
  const bytes = uniqueBytes(rel);
  const images = [rel.pullspec, ...rel.components.map((c) => `${world.source.host}/${COMPONENT_REPOSITORY}@${c.digest}`)];
  const fetchAll = await curlBlobs(world, bench.work, rel, { host: world.source.host, atOnce: AT_ONCE, name: 'loopback' });
  const flags = ['--authfile', world.authfile, '--ca-file', world.ca.certPath];
  const toDir = join(bench.work, 'ferry-transfer');
  const dirs = images.map((_, i) => join(bench.work, `skopeo-${i}`));
  const [wire, mirror, push, toDirSk, fromDirSk] = [new Runs(), new Runs(), new Runs(), new Runs(), new Runs()];

  for (let i = 0; i < REPEAT; i++) {
    await wire.time(fetchAll);
    await mirror.time(() =>
      bench.ferry(['mirror', '--release', `quay.io/${RELEASE_REPOSITORY}:4.15.3-x86_64`, '--to-dir', toDir, '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`, ...flags]),
    );
    await push.time(() => bench.ferry(['push', '--from-dir', toDir, '--to', `${world.mirror.host}/ferry-${run}-${i}`, '--allow-unsigned', ...flags]));
    await rm(toDir, { recursive: true, force: true });

    // What operators script: one skopeo per image into its own dir: (shared layers fetched again each time), then back out.
    const target = (ref: string) => `${world.mirror.host}/skopeo-${run}-${i}/${ref.slice(world.source.host.length + 1).replace(/@sha256:([0-9a-f]{12}).*/, ':d$1')}`;
    await skopeoCache.forget();
    await toDirSk.time(() => inBatches(AT_ONCE, images.map((ref, j) => () => skopeo(world, ['copy', '--all', '--quiet', `docker://${ref}`, `dir:${dirs[j]}`]))));
    await fromDirSk.time(() => inBatches(AT_ONCE, images.map((ref, j) => () => skopeo(world, ['copy', '--all', '--quiet', `dir:${dirs[j]}`, `docker://${target(ref)}`]))));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }

  return [compare('release mirror-to-disk', images.length, bytes, mirror, toDirSk, wire), compare('release push-from-disk', images.length, bytes, push, fromDirSk)];
}

const span = (t: ToolRun) => (t.runs.length > 1 ? ` [${Math.min(...t.runs).toFixed(2)}–${Math.max(...t.runs).toFixed(2)}]` : '');

function report(r: Comparison): string {
  const wire = r.wire ? `, wire ${r.wire.seconds.toFixed(2)} s${span(r.wire)}, ferry/wire ${r.wire.ferryOverWire.toFixed(2)}x` : '';
  return `${r.scenario}: ${r.images} images, ${mib(r.bytes)} unique — ferry ${r.ferry.seconds.toFixed(2)} s${span(r.ferry)} (peak RSS ${r.ferry.peakRssMiB?.toFixed(0)} MiB), skopeo ${r.skopeo.seconds.toFixed(2)} s${span(r.skopeo)}, skopeo/ferry ${r.ratio.toFixed(2)}x${wire}`;
}

async function main(): Promise<void> {
  const cli = await buildCliBundle('bench');
  const world = await startTestWorld();
  await skopeoCache.putAside();
  try {
    let n = 0;
    // BENCH_CPU_PROF=DIR: every ferry run writes a V8 CPU profile there (NODE_OPTIONS may not carry --cpu-prof).
    const cpuProfile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const bench: Bench = {
      world,
      work: join(world.dir, 'bench-work'),
      async ferry(args) {
        const rssFile = join(world.dir, `rss-${n++}`);
        await exec(process.execPath, ['--import', join(root, 'test/support/report-rss.mjs'), ...cpuProfile, cli.entry, ...args], { ...process.env, FERRY_RSS_FILE: rssFile });
        return Number(await readFile(rssFile, 'utf8')) / 1024;
      },
    };
    await mkdir(bench.work, { recursive: true });
    const run = Date.now().toString(36);
    const only = process.env.BENCH_ONLY;
    console.log(`each timing: median of ${REPEAT} runs [fastest–slowest]`);
    const results: Comparison[] = [];
    const record = (r: Comparison) => {
      results.push(r);
      console.log(report(r));
    };
    if (!only || only === 'copy') {
      console.log(`pushing 2 × ${IMAGES} images of ${LAYER_MIB} MiB layers (incompressible) …`);
      for (const r of await registryToRegistry(bench, 'shared-base', true, run)) record(r);
      for (const r of await registryToRegistry(bench, 'no-sharing', false, run)) record(r);
    }
    const wan: WanFigures[] = [];
    const proxy: ProxyFigure[] = [];
    if (!only || only === 'release' || only === 'loopback' || only === 'wan' || only === 'proxy') {
      console.log(`pushing release 4.15.3 with ${RELEASE_LAYER_MIB} MiB layers …`);
      const rel = await pushRelease(world, '4.15.3', { layerBytes: RELEASE_LAYER_MIB * MiB });
      if (!only || only === 'release' || only === 'loopback') for (const r of await release(bench, rel, run)) record(r);
      for (const profile of only === 'loopback' ? [] : LINK_PROFILES) {
        if (!only || only === 'wan' || only === 'proxy') {
          for (const p of await proxyAlone(world, bench.work, rel, profile, [1, 4, 8, 16])) {
            proxy.push(p);
            console.log(reportProxy(p));
          }
        }
        if (only === 'proxy') continue;
        const w = await overWan({ world, work: bench.work, release: rel, bytes: uniqueBytes(rel), ferry: bench.ferry, repeat: REPEAT, atOnce: AT_ONCE, parallel: WAN_PARALLEL }, profile);
        wan.push(w);
        console.log(reportWan(w));
      }
    }
    let rss: ReleaseRss | undefined;
    if (!only || only === 'wan' || only === 'rss') {
      console.log('pushing the full-size (faithful) release …');
      rss = await releaseRss(world, bench.work, bench.ferry, REPEAT);
      console.log(reportRss(rss));
    }
    const figures = !only || only === 'transfer' ? await transferFigures(world, bench.work, cli.entry, run) : undefined;
    if (figures) console.log(reportFigures(figures));
    const catalog = !only || only === 'catalog' ? await catalogFigures({ world, work: bench.work, ferry: bench.ferry, repeat: REPEAT }) : undefined;
    if (catalog) console.log(reportCatalog(catalog));
    await mkdir(join(root, '.bench'), { recursive: true });
    await writeFile(join(root, '.bench', 'results.json'), `${JSON.stringify({ at: new Date().toISOString(), results, wan, proxy, ...(rss ? { rss } : {}), ...(figures ? { figures } : {}), ...(catalog ? { catalog } : {}) }, null, 2)}\n`);
  } finally {
    await skopeoCache.restore();
    await world.stop();
    await cli.remove();
  }
}

await main();
