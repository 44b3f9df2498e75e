// `npm run bench`: starts a test world, pushes an image set of incompressible layers, then times
// Ferry against `skopeo copy --all` on the same images in the same run (same TLS, same auth, four
// images at a time each, fresh destination repositories), and prints wall times, the ratio
// (skopeo/ferry) and Ferry's peak RSS. Results also go to .bench/results.json.
// Each scenario is one entry of SCENARIOS; later issues add mirror-to-disk, push, incremental, resume.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { keystream } from '../test/support/bytes';
import { addImage, addLayer } from '../test/support/layers';
import { OciLayoutWriter } from '../test/support/oci-layout';
import { inBatches, pushFromLayout } from '../test/support/push';
import { skopeo, startTestWorld, type TestWorld } from '../test/support/world';

const root = fileURLToPath(new URL('..', import.meta.url));
const IMAGES = Number(process.env.BENCH_IMAGES ?? 6);
const LAYERS = Number(process.env.BENCH_LAYERS ?? 3);
const LAYER_MIB = Number(process.env.BENCH_LAYER_MIB ?? 24);
const AT_ONCE = 4;

interface BenchImage {
  repository: string;
  tag: string;
}

interface ToolRun {
  seconds: number;
  peakRssMiB?: number;
}

interface ScenarioResult {
  scenario: string;
  images: number;
  bytes: number;
  ferry: ToolRun;
  skopeo: ToolRun;
  /** skopeo seconds / ferry seconds: above 1 means Ferry is faster. */
  ratio: number;
}

interface Bench {
  world: TestWorld;
  images: BenchImage[];
  bytes: number;
  /** Runs the built ferry CLI; resolves with its peak RSS in MiB. */
  ferry(args: string[]): Promise<number>;
}

function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

/** Several images of LAYERS incompressible layers each, pushed with skopeo into the source registry. */
async function pushImageSet(world: TestWorld): Promise<{ images: BenchImage[]; bytes: number }> {
  const layout = await new OciLayoutWriter(join(world.dir, 'bench-layout')).init();
  let bytes = 0;
  for (let i = 0; i < IMAGES; i++) {
    const layers = [];
    for (let l = 0; l < LAYERS; l++) {
      const size = LAYER_MIB * 1024 * 1024;
      const seed = `bench-${i}-${l}`;
      layers.push(await addLayer(layout, [{ path: `data/${l}.bin`, content: { size, stream: () => keystream(seed, size) } }], { gzip: false }));
    }
    bytes += layers.reduce((n, x) => n + x.descriptor.size, 0);
    layout.tag(`img${i}`, await addImage(layout, { layers, labels: { bench: String(i) } }));
  }
  await layout.save();
  const images = Array.from({ length: IMAGES }, (_, i) => ({ repository: `bench/img${i}`, tag: 'v1' }));
  await inBatches(2, images.map((img, i) => () => pushFromLayout(world, layout, `img${i}`, `${world.source.host}/${img.repository}:${img.tag}`)));
  await rm(layout.dir, { recursive: true, force: true });
  return { images, bytes };
}

type Scenario = (bench: Bench, run: string) => Promise<ScenarioResult>;

const SCENARIOS: Record<string, Scenario> = {
  async 'registry-to-registry'(bench, run) {
    const { world, images } = bench;
    const ferry = await timed(async () =>
      Math.max(
        ...(await inBatches(
          AT_ONCE,
          images.map((img) => () =>
            bench.ferry([
              'copy',
              `docker://${world.source.host}/${img.repository}:${img.tag}`,
              `docker://${world.mirror.host}/ferry-${run}/${img.repository}:${img.tag}`,
              '--authfile',
              world.authfile,
              '--cert-dir',
              world.certDir,
            ]),
          ),
        )),
      ),
    );
    const sk = await timed(() =>
      inBatches(
        AT_ONCE,
        images.map((img) => () => skopeo(world, ['copy', '--all', '--quiet', `docker://${world.source.host}/${img.repository}:${img.tag}`, `docker://${world.mirror.host}/skopeo-${run}/${img.repository}:${img.tag}`])),
      ),
    );
    return {
      scenario: 'registry-to-registry',
      images: images.length,
      bytes: bench.bytes,
      ferry: { seconds: ferry.seconds, peakRssMiB: ferry.value },
      skopeo: { seconds: sk.seconds },
      ratio: sk.seconds / ferry.seconds,
    };
  },
};

async function main(): Promise<void> {
  // Ferry runs as built JavaScript, as it ships (not through the tsx loader).
  const bundle = join(root, 'node_modules', '.cache', 'ferry-bench', 'cli.mjs');
  await build({ entryPoints: [join(root, 'electron/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'error' });
  const world = await startTestWorld();
  try {
    console.log(`pushing ${IMAGES} images × ${LAYERS} layers × ${LAYER_MIB} MiB (incompressible) …`);
    const set = await pushImageSet(world);
    let n = 0;
    const bench: Bench = {
      world,
      ...set,
      async ferry(args) {
        const rssFile = join(world.dir, `rss-${n++}`);
        await exec(process.execPath, ['--import', join(root, 'test/support/report-rss.mjs'), bundle, ...args], { ...process.env, FERRY_RSS_FILE: rssFile });
        return Number(await readFile(rssFile, 'utf8')) / 1024;
      },
    };
    const results: ScenarioResult[] = [];
    const run = Date.now().toString(36);
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      const r = await scenario(bench, run);
      results.push(r);
      console.log(
        `${name}: ${r.images} images, ${(r.bytes / 1048576).toFixed(0)} MiB — ferry ${r.ferry.seconds.toFixed(2)} s (peak RSS ${r.ferry.peakRssMiB?.toFixed(0)} MiB), skopeo ${r.skopeo.seconds.toFixed(2)} s, ratio skopeo/ferry ${r.ratio.toFixed(2)}x`,
      );
    }
    await mkdir(join(root, '.bench'), { recursive: true });
    await writeFile(join(root, '.bench', 'results.json'), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
  } finally {
    await world.stop();
    await rm(bundle, { force: true });
  }
}

await main();
