import { Option, type Command } from 'commander';
import { FerryError } from '../../../shared/errors';
import { ARCHITECTURE_NAMES } from '../../../shared/release-arch';
import { isParentLocation, type CatalogRequest, type FailedImage, type ReleaseSignatures } from '../../../shared/transfer/manifest';
import { parsePackageSpec } from '../../../shared/catalog/resolve';
import { imageDigestMirrorSet } from '../../../shared/config/mirror-sets';
import { installConfigSnippet } from '../../../shared/config/install-config';
import { mirrorMappings, parseMirrorTarget } from '../../../shared/mirror-mapping';
import { createEngineContext, engineOptionsFrom } from '../../engine/context';
import { DEFAULT_VOLUME_SIZE, validateVolumeSize } from '../../engine/media/layout';
import { DEFAULT_REGISTRY_IMAGE } from '../../engine/registry-kit/registry-image';
import { planMirror } from '../../engine/transfer/mirror-plan';
import { describeHolder } from '../../engine/media/lock';
import { signatureOptionsFrom } from '../../engine/release-signatures/release-signatures';
import { readPrivateKey } from '../../engine/signing/keys';
import { signTransfer } from '../../engine/signing/transfer-signature';
import { headStartFor, planDisk, mirrorToDisk } from '../../engine/transfer/mirror-to-disk';
import { plannedSource, readImageList, readListFile, type TransferPlan } from '../../engine/transfer/plan';
import { assertAllPushed, pushImages } from '../../engine/transfer/push';
import { readSince } from '../../engine/transfer/since';
import { formatBytes, parseSize } from '../format';
import { imageSetRequest } from '../imageset-request';
import { DEFAULT_GRAPH_URL } from '../../../shared/update-graph';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';
import { interruptSignal, terminalProgress } from './copy';
import { planSummary, releaseArgument, releaseHeadline } from './release';

interface MirrorOptions extends GlobalOptions {
  release?: string;
  version?: string;
  arch?: string;
  image: string[];
  imageList?: string;
  toDir?: string;
  to?: string;
  volumeSize: number;
  dryRun: boolean;
  mirror?: string;
  signKey?: string;
  since?: string;
  withRegistry?: string | true;
  registryPlatform?: string;
  signatureStore: string[];
  signatureKeyring?: string;
  releaseSignatures: boolean;
  catalog?: string;
  package: string[];
  packagesFile?: string;
  withDependencies: boolean;
  failFast: boolean;
  config?: string;
  graphUrl?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function sizeOption(value: string): number {
  let size: number;
  try {
    size = parseSize(value);
  } catch (e) {
    throw new FerryError('USAGE', `--volume-size: ${(e as Error).message}.`);
  }
  // Refused here rather than once the release is resolved: a slip of the finger costs no round trip.
  validateVolumeSize(size);
  return size;
}

/** What the cluster needs to pull from the mirror: printed by --dry-run like `oc adm release mirror --dry-run`. */
function mirrorConfigText(plan: TransferPlan, mirror: string): string {
  const mappings = mirrorMappings(plan.images, parseMirrorTarget(mirror));
  return [
    '# install-config.yaml (OpenShift 4.14 and later):',
    installConfigSnippet(mappings, { field: 'imageDigestSources' }).text.split('\n').filter((l) => !l.startsWith('#')).join('\n').trim(),
    '',
    '# install-config.yaml (older installers):',
    installConfigSnippet(mappings, { field: 'imageContentSources' }).text.split('\n').filter((l) => !l.startsWith('#')).join('\n').trim(),
    '',
    '# ImageDigestMirrorSet for a running cluster (oc apply -f):',
    imageDigestMirrorSet(mappings).text.trim(),
    '',
  ].join('\n');
}

/** What the transfer carries of the release's signatures, for --json: the signatures themselves stay in transfer.json. */
function signatureSummary(s: ReleaseSignatures) {
  return { digest: s.digest, ...(s.store ? { store: s.store } : {}), signatures: s.signatures.map(({ data: _data, ...rest }) => rest), warnings: s.warnings };
}

/** The release signature line of the plan and the summary, then every warning: a release never travels unsigned silently. */
function signatureLines(plan: TransferPlan): string[] {
  const s = plan.releaseSignatures;
  if (!plan.release) return [];
  if (!s) return ['Release signatures: not fetched (--no-release-signatures); the release travels without them'];
  const head = s.signatures.length
    ? `Release signatures: ${s.signatures.length} verified (keys ${[...new Set(s.signatures.map((x) => x.keyFingerprint.toUpperCase()))].join(', ')}) from ${s.store}`
    : 'Release signatures: none';
  return [head, ...s.warnings.map((w) => `WARNING: ${w}`)];
}

/** `--catalog` with its `--package`s and `--packages-file`; each spec is checked before anything is read. */
async function catalogRequests(opts: MirrorOptions): Promise<CatalogRequest[]> {
  const specs = [...opts.package, ...(opts.packagesFile ? await readListFile(opts.packagesFile, 'packages file', (line) => void parsePackageSpec(line)) : [])];
  if (!opts.catalog) {
    if (specs.length || opts.withDependencies) throw new FerryError('USAGE', '--package, --packages-file and --with-dependencies select from a catalog.', { hint: 'Give --catalog REF.' });
    return [];
  }
  if (specs.length === 0) throw new FerryError('USAGE', `Select at least one package of ${opts.catalog}.`, { hint: 'Pass --package NAME[:CHANNEL][@MIN..MAX] (repeatable) or --packages-file FILE.' });
  for (const spec of specs) parsePackageSpec(spec);
  return [{ catalog: opts.catalog, packages: specs, withDependencies: opts.withDependencies }];
}

/** One line per catalog: what was selected and the filtered catalog that carries it. */
function catalogLines(plan: TransferPlan): string[] {
  return (plan.catalogs ?? []).map((c) => {
    const pkgs = c.packages.map((p) => `${p.name} [${p.channels.map((ch) => ch.name).join(', ')}]${p.replacedDefaultChannel ? ` (default channel ${p.defaultChannel}, was ${p.replacedDefaultChannel})` : ''}`);
    return `Catalog ${c.source}@${c.digest}: ${c.bundles.length} bundle(s) of ${pkgs.join(', ')}, ${c.images.length} bundle and related image(s); filtered catalog ${c.filtered.source}`;
  });
}

/** The images a partial transfer left out, and how to complete it. */
function failedLines(failed: readonly FailedImage[] = [], where: 'media' | 'mirror' = 'media'): string[] {
  if (failed.length === 0) return [];
  return [
    `NOT CARRIED: ${failed.length} image(s) failed and were left out; everything else is ${where === 'media' ? 'on the media' : 'in the mirror'}:`,
    ...failed.map((f) => `  ${f.ref}  ${f.code}: ${f.message}`),
    where === 'media'
      ? 'Run the same command again to fetch only these (transfer.json lists them as failed until they are carried).'
      : 'Run the same command again once they are available: what the mirror holds is not sent twice.',
  ];
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('mirror')
      .description('mirror a release, images and operators (--catalog) to removable media (--to-dir) or straight into a registry (--to)')
      .option('--release <pullspec>', 'release pullspec, e.g. quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64')
      .option('--version <version>', 'OpenShift version (instead of --release)')
      .option('--arch <arch>', `architecture: ${ARCHITECTURE_NAMES}; with --version, default x86_64; a multi release travels whole`)
      .option('--image <ref>', 'an extra image; repeatable', collect, [])
      .option('--image-list <file>', 'a file with one extra image reference per line')
      .addOption(new Option('--to-dir <dir>', 'write a transfer (transfer.json + ferry-NNNNNN.tar volumes) here').conflicts('to'))
      .option('--to <host:port/namespace>', 'push straight into this mirror registry')
      .addOption(new Option('--volume-size <size>', 'largest volume file (FAT32 holds at most 4 GiB - 1)').argParser(sizeOption).default(DEFAULT_VOLUME_SIZE, '4000M'))
      .option('--dry-run', 'print the plan and the mirror configuration; write nothing', false)
      .option('--mirror <host:port/namespace>', 'with --to-dir --dry-run: the mirror the configuration should point at')
      .option('--sign-key <file>', 'sign transfer.json with this ed25519 key (ferry keys generate)')
      .option('--since <file>', 'with --to-dir: write only what the mirror lacks, given the receipt.json of its last push (or that transfer.json)')
      .option('--with-registry [ref]', `also carry the mirror registry's image, for ferry registry-kit --from-dir (default ${DEFAULT_REGISTRY_IMAGE})`)
      .option('--registry-platform <os/arch>', 'with --with-registry: the registry node’s platform (default: the release architecture’s, linux/amd64)')
      .option('--signature-store <url>', 'with --to-dir: release signature store (default: the public ones); repeatable, tried in order', collect, [])
      .option('--signature-keyring <file>', "with --to-dir: OpenPGP keys the release signatures must verify with (default: Red Hat's release keys)")
      .option('--no-release-signatures', 'with --to-dir: do not fetch the release signatures (the release then travels without them)')
      .option('--catalog <ref>', 'an operator catalog image: carry the selected bundles, their related images and a filtered catalog')
      .option('--package <spec>', 'with --catalog: NAME[:CHANNEL][@MIN..MAX]; repeatable', collect, [])
      .option('--packages-file <file>', 'with --catalog: a file with one NAME[:CHANNEL][@MIN..MAX] per line')
      .option('--with-dependencies', 'with --catalog: add bundles that provide the packages and APIs the selection requires', false)
      .option('--config <imageset.yaml>', "what to carry, from an oc-mirror ImageSetConfiguration (v2alpha1): platform channels, operators, additionalImages, blockedImages; fields Ferry does not carry out are refused with their line")
      .option('--graph-url <url>', 'with --config: update service graph endpoint for the platform channels', DEFAULT_GRAPH_URL)
      .option('--fail-fast', 'stop at the first image that fails (default: only release content stops the run; a failing extra image is left out, listed, and the rest are carried)', false),
  ).action(async (opts: MirrorOptions) => {
    const imageSet = opts.config ? await imageSetRequest({ ...opts, config: opts.config }) : undefined;
    if (imageSet && opts.volumeSize !== DEFAULT_VOLUME_SIZE && imageSet.volumeSize !== undefined) {
      throw new FerryError('USAGE', `--volume-size and the archiveSize of ${opts.config} both set the volume size.`, { hint: 'Keep one of them.' });
    }
    const release = imageSet ? imageSet.release : releaseArgument(opts.release, opts);
    const images = imageSet ? imageSet.images : [...opts.image, ...(opts.imageList ? await readImageList(opts.imageList) : [])];
    const catalogs = imageSet ? imageSet.catalogs : await catalogRequests(opts);
    const volumeSize = imageSet?.volumeSize ?? opts.volumeSize;
    if (!opts.toDir && !opts.to) throw new FerryError('USAGE', 'Where to?', { hint: 'Give --to-dir DIR (removable media) or --to HOST:PORT/NAMESPACE (a registry).' });
    if (opts.to) parseMirrorTarget(opts.to);
    if (opts.mirror) parseMirrorTarget(opts.mirror);
    if (opts.since && !opts.toDir) throw new FerryError('USAGE', '--since applies to --to-dir only.', { hint: 'A registry-to-registry mirror already skips what the target holds; drop --since.' });
    const since = opts.since ? await readSince(opts.since) : undefined;
    // A bad signing key must fail now, not after hours of mirroring.
    if (opts.signKey) await readPrivateKey(opts.signKey);
    const signatures =
      opts.toDir && opts.releaseSignatures ? await signatureOptionsFrom({ stores: opts.signatureStore, ...(opts.signatureKeyring ? { keyringFile: opts.signatureKeyring } : {}) }) : undefined;
    const progress = opts.json || opts.dryRun ? { listener: undefined, end: () => undefined } : terminalProgress();
    const interrupt = interruptSignal();
    const ctx = await createEngineContext(engineOptionsFrom({ ...opts, signal: interrupt.signal, ...(progress.listener ? { onProgress: progress.listener } : {}) }));
    // Blobs begin to download while the plan is read (a WAN round trip per manifest); written once it is whole.
    const headStart = opts.toDir && !opts.dryRun ? await headStartFor(ctx, opts.toDir, since) : undefined;
    try {
      const { plan, registry, requested } = await planMirror(ctx, {
        ...(release ? { release } : {}),
        ...(opts.arch ? { arch: opts.arch } : {}),
        images,
        ...(opts.withRegistry ? { withRegistry: opts.withRegistry } : {}),
        ...(opts.registryPlatform ? { registryPlatform: opts.registryPlatform } : {}),
        ...(opts.since ? { since: opts.since } : {}),
        ...(signatures ? { signatures } : {}),
        ...(catalogs.length ? { catalogs } : {}),
        ...(opts.failFast ? { failFast: true } : {}),
        ...(opts.toDir && !opts.dryRun ? { toDir: opts.toDir } : {}),
        ...(imageSet ? { imageSet: imageSet.record } : {}),
        ...(headStart ? { onPlanned: (image) => headStart.offer(image) } : {}),
      });
      const summary = planSummary(plan);
      const out: string[] = [];
      if (opts.dryRun) {
        const layout = opts.toDir ? await planDisk(plan, opts.toDir, volumeSize, since) : undefined;
        const mirror = opts.to ?? opts.mirror;
        if (opts.json) {
          return printJson({
            dryRun: true,
            ...summary,
            ...(layout ? { volumes: layout.volumes.volumes, diskBytes: layout.volumes.diskBytes, free: layout.space.free, enough: layout.space.enough } : {}),
            ...(layout?.delta ? { delta: layout.delta } : {}),
            ...(mirror ? { mirrorMappings: mirrorMappings(plan.images, parseMirrorTarget(mirror)) } : {}),
            ...(plan.releaseSignatures ? { releaseSignatures: signatureSummary(plan.releaseSignatures) } : {}),
            ...(plan.catalogs ? { catalogs: plan.catalogs } : {}),
            ...(plan.failed ? { failed: plan.failed } : {}),
          });
        }
        if (summary.release) out.push(releaseHeadline(summary.release));
        out.push(...catalogLines(plan));
        out.push(`Plan: ${summary.images.length} images, ${formatBytes(summary.uniqueBytes)} unique in ${summary.uniqueBlobs} blobs (${formatBytes(summary.totalBytes)} if copied image by image)`);
        // A dry run shows what a real run would leave out, before hours of writing.
        for (const f of plan.failed ?? []) out.push(`WILL NOT BE CARRIED: ${f.ref}  ${f.code}: ${f.message}`);
        if (layout?.delta) {
          const d = layout.delta;
          out.push(
            `Delta since transfer ${d.parent.id}: ${d.images.new} new image(s), ${d.images.held} already in the mirror; ${d.blobs.new} new blob(s) (${formatBytes(d.bytes.new)}) to write, ${d.blobs.held} held (${formatBytes(d.bytes.held)}) recorded, not written`,
          );
        }
        if (layout) {
          const v = layout.volumes;
          out.push(`Volumes: ${v.volumes.length} of at most ${formatBytes(v.volumeSize)} (${v.volumes.map((x) => `${x.name} ${formatBytes(x.size)}`).join(', ')})`);
          out.push(`Space: needs ${formatBytes(v.diskBytes)} on ${opts.toDir}, ${formatBytes(layout.space.free)} free${layout.space.enough ? '' : ' — NOT ENOUGH'}`);
        }
        // Signatures travel on media only: a registry-to-registry mirror neither fetches nor mentions them.
        if (opts.toDir) out.push(...signatureLines(plan));
        out.push('');
        out.push(mirror ? mirrorConfigText(plan, mirror) : '# Give --mirror HOST:PORT/NAMESPACE to see the mirror configuration the cluster needs.');
        process.stdout.write(`${out.join('\n')}\n`);
        return;
      }
      if (opts.toDir) {
        const result = await mirrorToDisk(ctx, plan, {
          toDir: opts.toDir,
          volumeSize,
          requested,
          ...(since ? { since } : {}),
          ...(opts.failFast ? { failFast: true } : {}),
          ...(headStart ? { headStart } : {}),
        });
        progress.end();
        const signed = opts.signKey ? await signTransfer(opts.toDir, opts.signKey) : undefined;
        const m = result.manifest;
        const parentBlobs = m.blobs.filter((b) => isParentLocation(b.location));
        // Written and usable, but not all that was asked: a script must notice (exit 1), and the rerun completes it.
        if (m.failed?.length) process.exitCode = 1;
        if (opts.json) {
          return printJson({
            dir: opts.toDir,
            id: m.id,
            images: m.images.length,
            blobs: m.blobs.length,
            parentBlobs: parentBlobs.length,
            volumes: m.volumes,
            resumedBlobs: result.resumedBlobs,
            ...(result.repaired.length ? { repaired: result.repaired } : {}),
            ...(result.tookOverLock ? { tookOverLock: result.tookOverLock } : {}),
            ...(m.parent ? { parent: m.parent } : {}),
            ...(signed ? { fingerprint: signed.fingerprint } : {}),
            ...(m.releaseSignatures ? { releaseSignatures: signatureSummary(m.releaseSignatures) } : {}),
            ...(m.catalogs ? { catalogs: m.catalogs.map((c) => ({ source: c.source, digest: c.digest, bundles: c.bundles.length, images: c.images.length, filtered: c.filtered })) } : {}),
            ...(m.failed?.length ? { failed: m.failed } : {}),
          });
        }
        const bytes = m.volumes.reduce((n, v) => n + v.size, 0);
        out.push(`Wrote transfer ${m.id} to ${opts.toDir}: ${m.images.length} images, ${m.blobs.length} blobs, ${m.volumes.length} volume(s), ${formatBytes(bytes)}`);
        if (m.parent) {
          out.push(`Delta since transfer ${m.parent.id} (${opts.since}): ${parentBlobs.length} blob(s), ${formatBytes(parentBlobs.reduce((n, b) => n + b.size, 0))}, already in the mirror were recorded, not written`);
        }
        if (result.tookOverLock) out.push(`Took over the lock of an earlier run that is no longer running: ${describeHolder(result.tookOverLock)}`);
        for (const p of result.repaired) out.push(`Resume check: ${p.blob ? `blob ${p.blob} in ${p.volume}` : `volume ${p.volume}`} failed (${p.why}); everything from there on was written again`);
        if (result.resumedBlobs > 0) out.push(`Resumed: ${result.resumedBlobs} blob(s) already on the media were kept, not fetched again`);
        out.push(...failedLines(m.failed));
        for (const v of m.volumes) out.push(`  ${v.name}  ${formatBytes(v.size).padStart(10)}  sha256:${v.sha256}`);
        out.push(...signatureLines(plan));
        out.push(...catalogLines(plan));
        if (registry) out.push(`Carries the mirror registry ${registry.ref} (${registry.platform}) as ${registry.source}: on the other side,  ferry registry-kit --from-dir DIR ...  writes it with the node kit`);
        if (signed) out.push(`Signed. Key fingerprint (compare it on the other side): ${signed.fingerprint}`);
        // Push refuses what no trusted key signed, so the next step says how to trust this one (or that it is unsigned).
        const trust = signed ? ` --trust '${signed.fingerprint}'` : ' --allow-unsigned';
        out.push(`Next: carry the whole directory; on the other side run  ferry verify --dir DIR${signed ? trust : ''}  then  ferry push --from-dir DIR --to HOST:PORT/NAMESPACE${trust}`);
        process.stdout.write(`${out.join('\n')}\n`);
        return;
      }
      const target = parseMirrorTarget(opts.to!);
      const result = await pushImages(
        ctx,
        plan.images.map((image) => ({
          source: image.source,
          role: image.role,
          digest: image.digest,
          manifests: image.images.map((m) => m.manifest.digest),
          ...(image.components ? { components: image.components } : {}),
          open: () => plannedSource(ctx, image),
        })),
        target,
        { targetSpec: opts.to!, transferId: crypto.randomUUID(), ...(plan.release ? { release: { version: plan.release.version, architecture: plan.release.architecture } } : {}) },
      );
      progress.end();
      if (plan.failed) process.exitCode = 1;
      if (opts.json) printJson({ ...result, ...(plan.failed ? { failed: plan.failed } : {}) });
      else {
        const b = result.blobs;
        process.stdout.write(
          `Mirrored ${result.images.filter((i) => i.result).length} of ${result.images.length} images to ${opts.to}: ${b.copied} blobs copied (${formatBytes(b.bytesCopied)}), ${b.mounted} mounted, ${b.skipped} already present\n` +
            failedLines(plan.failed, 'mirror').map((l) => `${l}\n`).join(''),
        );
      }
      assertAllPushed(result);
    } finally {
      headStart?.close();
      progress.end();
      interrupt.dispose();
      await ctx.close();
    }
  });
}
