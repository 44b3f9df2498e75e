import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { Receipt } from '../../shared/transfer/receipt';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { imageSetText, otherReleases, selectionFromImageSet, unchangedImport } from '../../shared/imageset/journey';
import { jobStartSchema, type JobParams } from '../../shared/api/jobs';
import { readImageSet } from '../../electron/host/handlers/imageset';
import { readTransfer } from '../../electron/host/handlers/transfer';
import { runners } from '../../electron/worker/runners';
import type { JobContext } from '../../electron/worker/runtime';
import { planExport } from '../../electron/host/handlers/release';
import { MemorySecretStore } from '../../electron/jobs/secrets/secret-store';
import { ferry, worldFlags } from '../support/cli';
import { atomicSignaturePayload, gpgSigner, type GpgSigner } from '../support/gpg';
import { listenOnLoopback } from '../support/loopback';
import { pushRelease, type FixtureRelease } from '../support/release';
import { startSignatureStore, type SignatureStore } from '../support/signature-store';
import { tempDir } from '../support/tmp';
import { inBatches, inspectManifest } from '../support/push';
import { startTestWorld, type TestWorld } from '../support/world';

const CHANNELS_KEY = 'io.openshift.upgrades.graph.release.channels';

/**
 * Issue 19 point 2: an ImageSetConfiguration whose channel range spans an upgrade path travels as one transfer.
 * The update service answers as api.openshift.com does, in the shape openshift/cluster-version-operator
 * pkg/cincinnati/cincinnati.go reads it: `nodes` with version, payload by digest and metadata, `edges` as two-index
 * arrays into `nodes`, `conditionalEdges` as `{edges: [{from, to}], risks: [ConditionalUpdateRisk]}` (url, name,
 * message, matchingRules, as openshift/api config/v1). Three real z-streams sit in the test source registry, sharing most
 * components (4.15.5 names one of them otherwise), each signed in an HTTPS signature store.
 *
 * `stable-4.15`: 4.15.3 → 4.15.4 → 4.15.5 recommended, 4.15.3 → 4.15.5 only conditional (a known risk): its
 * shortest path must not jump, so it is every release. `fast-4.15`: 4.15.3 → 4.15.5 recommended too: its shortest
 * path is the jump, and 4.15.4 stays home.
 */
describe('ferry mirror --config: every release of an upgrade path in one transfer', () => {
  let world: TestWorld;
  let store: SignatureStore;
  let signer: GpgSigner;
  let graph: Server;
  let rels: FixtureRelease[];
  let flags: string[];
  let keyring: string;
  const signatures = new Map<string, Uint8Array>();
  const work = tempDir('ferry-upgrade-path-');
  const dir = (name: string) => join(work.path, name);
  const config = async (name: string, channel: string, extra = '') => {
    const path = dir(`${name}.yaml`);
    await writeFile(
      path,
      `kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
mirror:
  platform:
    channels:
    - name: ${channel}
      minVersion: 4.15.3
      maxVersion: 4.15.5
${extra}`,
    );
    return path;
  };
  const manifestOf = async (d: string) => JSON.parse(await readFile(join(d, 'transfer.json'), 'utf8')) as TransferManifest;
  /** The digest a mirror tag names (of the manifest as stored, a list for a multi-arch component), or undefined. */
  const tagDigest = async (ref: string) => (await inspectManifest(world, ref).catch(() => undefined))?.digest;

  before(async () => {
    [world, store, signer] = await Promise.all([startTestWorld(), startSignatureStore(), gpgSigner('release-signer')]);
    rels = [];
    for (const v of ['4.15.3', '4.15.4', '4.15.5'] as const) rels.push(await pushRelease(world, v));
    for (const r of rels) {
      const sig = await signer.sign(atomicSignaturePayload(r.digest, `quay.io/openshift-release-dev/ocp-release:${r.version}-x86_64`));
      store.put(r.digest, 1, sig);
      signatures.set(r.digest, sig);
    }
    keyring = dir('keys.asc');
    await writeFile(keyring, signer.publicArmored);
    const nodes = rels.map((r) => ({ version: r.version, payload: r.quayPullspec, metadata: { [CHANNELS_KEY]: 'fast-4.15,stable-4.15' } }));
    // A newer release outside every range: never planned, never pulled (its payload exists nowhere).
    nodes.push({ version: '4.15.6', payload: `quay.io/openshift-release-dev/ocp-release@sha256:${'6'.repeat(64)}`, metadata: { [CHANNELS_KEY]: 'fast-4.15,stable-4.15' } });
    const risk = { url: 'https://access.redhat.com/solutions/0000000', name: 'EtcdDefragRisk', message: 'etcd may defragment for hours on the way to 4.15.5.', matchingRules: [{ type: 'Always' }] };
    const bodies: Record<string, string> = {
      'stable-4.15': JSON.stringify({ nodes, edges: [[0, 1], [1, 2], [2, 3]], conditionalEdges: [{ edges: [{ from: '4.15.3', to: '4.15.5' }], risks: [risk] }] }),
      'fast-4.15': JSON.stringify({ nodes, edges: [[0, 1], [1, 2], [0, 2], [2, 3]], conditionalEdges: [] }),
    };
    graph = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = url.searchParams.get('arch') === 'amd64' ? bodies[url.searchParams.get('channel') ?? ''] : undefined;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(body ?? '{}');
    });
    const graphUrl = `http://${await listenOnLoopback(graph)}/api/upgrades_info/v1/graph`;
    flags = [
      ...worldFlags(world),
      '--ca-file', store.caPath,
      '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`,
      '--graph-url', graphUrl,
      '--signature-store', store.url,
      '--signature-keyring', keyring,
    ];
  });
  after(async () => {
    await new Promise<void>((resolve) => (graph ? graph.close(() => resolve()) : resolve()));
    await Promise.all([world?.stop(), store?.close(), signer?.cleanup()]);
    await work.cleanup();
  });

  it('dry-run lists the path in order, each release with its verified signature', async () => {
    const r = await ferry(['mirror', '--config', await config('range', 'stable-4.15'), '--to-dir', dir('range'), '--dry-run', ...flags]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Upgrade path: 3 releases, 4\.15\.3 -> 4\.15\.4 -> 4\.15\.5/);
    for (const rel of rels) {
      assert.match(r.stdout, new RegExp(`Release ${rel.version} \\(x86_64\\) ${rel.digest}`));
      assert.match(r.stdout, new RegExp(`Release ${rel.version} signatures: 1 verified \\(keys ${signer.fingerprint}\\)`));
    }
    assert.doesNotMatch(r.stdout, /4\.15\.6/);
    // The range holds the conditional jump too; it is shown with its risk, not hidden among the edges.
    assert.match(r.stdout, /Conditional update 4\.15\.3 -> 4\.15\.5 \(stable-4\.15, amd64\): known risks EtcdDefragRisk/);
    // The app plans the same path from the same request: the releases in order, each signature verified.
    const defaults = { caFiles: [world.ca.certPath, store.caPath], authfile: world.authfile, sourceMirrors: [`quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`], signatureStores: [store.url], signatureKeyring: keyring };
    const app = await planExport(new MemorySecretStore(), defaults, { release: rels[2]!.quayPullspec, releases: [rels[0]!.quayPullspec, rels[1]!.quayPullspec], images: [], toDir: dir('app'), caPems: [] });
    assert.deepEqual(app.releases, rels.map((x) => ({ version: x.version, architecture: 'x86_64', digest: x.digest, verified: 1 })));
    const json = JSON.parse((await ferry(['mirror', '--config', await config('range', 'stable-4.15'), '--to-dir', dir('range'), '--dry-run', '--json', ...flags])).stdout) as {
      release: { version: string };
      releases: Array<{ version: string; digest: string }>;
      images: Array<{ digest: string }>;
    };
    assert.equal(json.release.version, '4.15.5', 'the newest release is the primary one');
    assert.deepEqual(json.releases.map((x) => [x.version, x.digest]), rels.map((x) => [x.version, x.digest]));
    // Each image once: the components the z-streams share are planned once.
    const expected = new Set(rels.flatMap((x) => [x.digest, ...x.components.map((c) => c.digest)]));
    assert.equal(json.images.length, expected.size);
    assert.deepEqual(new Set(json.images.map((i) => i.digest)), expected);
  });

  it('mirror to disk → push: every release of the path in the mirror with its component tags and its signature in the ConfigMap', async () => {
    const r = await ferry(['mirror', '--config', await config('range', 'stable-4.15'), '--to-dir', dir('range'), ...flags]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = await manifestOf(dir('range'));
    assert.equal(m.release?.version, '4.15.5');
    assert.equal(m.formatVersion, 2, 'a Ferry that reads format 1 only must refuse it, not tag every release image 4.15.5');
    assert.equal(m.releaseSignatures?.digest, rels[2]!.digest);
    assert.deepEqual(m.releases?.map((x) => [x.release.version, x.release.digest, x.signatures?.signatures.length]), [
      ['4.15.3', rels[0]!.digest, 1],
      ['4.15.4', rels[1]!.digest, 1],
    ]);
    // Every blob once, whatever number of releases share it.
    const blobs = m.blobs.map((b) => b.digest);
    assert.equal(new Set(blobs).size, blobs.length);
    for (const rel of rels) for (const d of rel.blobs.keys()) assert.ok(blobs.includes(d), `${rel.version} blob ${d}`);
    const verify = await ferry(['verify', '--dir', dir('range')]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    // The app's import journey shows the path from transfer.json.
    const summary = await readTransfer({ dir: dir('range') });
    assert.deepEqual(summary.releases?.map((x) => [x.version, x.digest, x.signatures]), rels.map((x) => [x.version, x.digest, 1]));

    const mirror = `${world.mirror.host}/ocp4`;
    const push = await ferry(['push', '--from-dir', dir('range'), '--to', mirror, '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    for (const rel of rels) {
      assert.equal(await tagDigest(`${mirror}/ocp-release:${rel.version}-x86_64`), rel.digest, `${rel.version} release tag`);
      const got = await inBatches(4, rel.components.map((c) => () => tagDigest(`${mirror}/ocp-v4.0-art-dev:${rel.version}-x86_64-${c.name}`)));
      assert.deepEqual(got, rel.components.map((c) => c.digest), `${rel.version} component tags`);
    }
    // The image 4.15.4 names docker-registry is 4.15.5's image-registry: one image, a tag for each release's name.
    const renamed = rels[2]!.components.find((c) => c.name === 'image-registry')!;
    assert.equal(rels[1]!.components.find((c) => c.name === 'docker-registry')?.digest, renamed.digest);
    assert.equal(await tagDigest(`${mirror}/ocp-v4.0-art-dev:4.15.4-x86_64-image-registry`), undefined, 'no name a release does not give');
    const receipt = JSON.parse(await readFile(join(dir('range'), 'receipt.json'), 'utf8')) as Receipt;
    const shared = receipt.images.find((i) => i.digest === renamed.digest)!;
    assert.ok(shared.tags?.includes('4.15.4-x86_64-docker-registry') && shared.tags.includes('4.15.5-x86_64-image-registry'), JSON.stringify(shared.tags));
    const against = await ferry(['verify', '--dir', dir('range'), '--against', mirror, ...worldFlags(world)]);
    assert.equal(against.code, 0, against.stdout + against.stderr);

    const cm = await ferry(['config', 'signature-configmap', '--from-dir', dir('range')]);
    assert.equal(cm.code, 0, cm.stderr);
    const object = parseYaml(cm.stdout) as { metadata: { name: string; namespace: string }; binaryData: Record<string, string> };
    assert.equal(object.metadata.name, 'mirrored-release-signatures');
    assert.equal(object.metadata.namespace, 'openshift-config-managed');
    assert.deepEqual(Object.keys(object.binaryData), rels.map((x) => `${x.digest.replace(':', '-')}-1`));
    for (const rel of rels) assert.deepEqual(new Uint8Array(Buffer.from(object.binaryData[`${rel.digest.replace(':', '-')}-1`]!, 'base64')), signatures.get(rel.digest));
  });

  it('a --since delta of the same path carries no blob the mirror holds, and its push tags every release again', async () => {
    const receipt = join(dir('range'), 'receipt.json');
    const r = await ferry(['mirror', '--config', await config('range', 'stable-4.15'), '--to-dir', dir('delta'), '--since', receipt, ...flags]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = await manifestOf(dir('delta'));
    assert.ok(m.blobs.every((b) => 'parent' in b.location), 'every blob is in the mirror already');
    assert.deepEqual(m.releases?.map((x) => x.release.version), ['4.15.3', '4.15.4']);
    const push = await ferry(['push', '--from-dir', dir('delta'), '--to', `${world.mirror.host}/ocp4`, '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    const against = await ferry(['verify', '--dir', dir('delta'), '--against', `${world.mirror.host}/ocp4`, ...worldFlags(world)]);
    assert.equal(against.code, 0, against.stdout + against.stderr);
  });

  it('shortestPath: a conditional jump is not taken; a recommended one is, and only the releases on it travel', async () => {
    const stable = await ferry(['mirror', '--config', await config('stable-short', 'stable-4.15', '      shortestPath: true\n'), '--to-dir', dir('stable-short'), '--dry-run', ...flags]);
    assert.equal(stable.code, 0, stable.stdout + stable.stderr);
    assert.match(stable.stdout, /Upgrade path: 3 releases, 4\.15\.3 -> 4\.15\.4 -> 4\.15\.5/);
    assert.doesNotMatch(stable.stdout, /Conditional update/, 'the path takes no conditional step');

    const r = await ferry(['mirror', '--config', await config('fast-short', 'fast-4.15', '      shortestPath: true\n'), '--to-dir', dir('fast-short'), ...flags]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Upgrade path: 2 releases, 4\.15\.3 -> 4\.15\.5/);
    const m = await manifestOf(dir('fast-short'));
    assert.equal(m.release?.version, '4.15.5');
    assert.deepEqual(m.releases?.map((x) => x.release.version), ['4.15.3']);
    const only4 = rels[1]!.components.filter((c) => !rels[0]!.components.some((o) => o.digest === c.digest) && !rels[2]!.components.some((o) => o.digest === c.digest));
    assert.ok(only4.length > 0, 'the fixture has components only 4.15.4 holds');
    for (const c of only4) assert.ok(!m.images.some((i) => i.digest === c.digest), `${c.name} of 4.15.4 is not carried`);

    const mirror = `${world.mirror.host}/short`;
    const push = await ferry(['push', '--from-dir', dir('fast-short'), '--to', mirror, '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.equal(await tagDigest(`${mirror}/ocp-release:4.15.3-x86_64`), rels[0]!.digest);
    assert.equal(await tagDigest(`${mirror}/ocp-release:4.15.5-x86_64`), rels[2]!.digest);
    assert.equal(await tagDigest(`${mirror}/ocp-release:4.15.4-x86_64`), undefined, '4.15.4 is not on the path');
    const cm = parseYaml((await ferry(['config', 'signature-configmap', '--from-dir', dir('fast-short')])).stdout) as { binaryData: Record<string, string> };
    assert.deepEqual(Object.keys(cm.binaryData), [rels[0]!, rels[2]!].map((x) => `${x.digest.replace(':', '-')}-1`));

    // Registry to registry, the same path and the same names.
    const direct = `${world.mirror.host}/direct`;
    const d = await ferry(['mirror', '--config', await config('fast-short', 'fast-4.15', '      shortestPath: true\n'), '--to', direct, ...flags]);
    assert.equal(d.code, 0, d.stdout + d.stderr);
    for (const rel of [rels[0]!, rels[2]!]) {
      assert.equal(await tagDigest(`${direct}/ocp-release:${rel.version}-x86_64`), rel.digest);
      const got = await inBatches(4, rel.components.map((c) => () => tagDigest(`${direct}/ocp-v4.0-art-dev:${rel.version}-x86_64-${c.name}`)));
      assert.deepEqual(got, rel.components.map((c) => c.digest), `${rel.version} component tags`);
    }
    assert.equal(await tagDigest(`${direct}/ocp-release:4.15.4-x86_64`), undefined);
  });

  it("the app imports the same file: its plan carries the releases the CLI's dry-run names, and its mirror job records the file as the CLI does", async () => {
    const defaults = {
      caFiles: [world.ca.certPath, store.caPath],
      authfile: world.authfile,
      sourceMirrors: [`quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`],
      signatureStores: [store.url],
      signatureKeyring: keyring,
      graphUrl: flags[flags.indexOf('--graph-url') + 1]!,
    };
    const importFile = async (path: string) => {
      const text = await readFile(path, 'utf8');
      const name = basename(path);
      return { text, name, ...selectionFromImageSet(await readImageSet(defaults, { name, text }), name, text, { volumeSize: '4000MiB' }) };
    };
    for (const [name, channel, extra, versions] of [
      ['app-range', 'stable-4.15', '', ['4.15.3', '4.15.4', '4.15.5']],
      ['app-short', 'fast-4.15', '      shortestPath: true\n', ['4.15.3', '4.15.5']],
    ] as const) {
      const path = await config(name, channel, extra);
      const got = await importFile(path);
      assert.deepEqual(got.notCarried, []);
      const s = got.selection;
      const app = await planExport(new MemorySecretStore(), defaults, { release: s.release, releases: otherReleases(s), images: s.images, toDir: dir(name), caPems: [] });
      const cli = await ferry(['mirror', '--config', path, '--to-dir', dir(name), '--dry-run', '--json', ...flags]);
      assert.equal(cli.code, 0, cli.stdout + cli.stderr);
      const json = JSON.parse(cli.stdout) as { releases: Array<{ version: string; digest: string }>; images: Array<{ digest: string }> };
      assert.deepEqual(app.releases?.map((r) => [r.version, r.digest, r.verified]), json.releases.map((r) => [r.version, r.digest, 1]));
      assert.deepEqual(json.releases.map((r) => r.version), versions);
      assert.deepEqual(new Set(app.images.map((i) => i.digest)), new Set(json.images.map((i) => i.digest)));
      // Nothing changed: the export is the file as it came.
      assert.equal(imageSetText(s, got.imported, '4000MiB').text, got.text);
    }

    // The shortest path written to disk by both: transfer.json asks for the same releases and records the same file.
    const path = await config('app-job', 'fast-4.15', '      shortestPath: true\n');
    const cli = await ferry(['mirror', '--config', path, '--to-dir', dir('cli-job'), ...flags]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    const got = await importFile(path);
    const imageSet = unchangedImport(got.selection, got.imported);
    assert.ok(imageSet, 'an unchanged import is the file');
    const job: JobContext = { id: 'app-job', signal: new AbortController().signal, pullSecret: undefined, defaults, onProgress: () => undefined, checkpoint: async () => undefined };
    const params = jobStartSchema.parse({
      kind: 'mirror',
      params: { release: got.selection.release, releases: otherReleases(got.selection), images: got.selection.images, toDir: dir('app-job'), imageSet: { name: imageSet.name, text: imageSet.text } },
    }).params as JobParams<'mirror'>;
    await runners.mirror!(params, job);
    const [fromApp, fromCli] = await Promise.all([manifestOf(dir('app-job')), manifestOf(dir('cli-job'))]);
    assert.deepEqual(fromApp.requested.imageSet, fromCli.requested.imageSet);
    assert.equal(fromApp.requested.imageSet?.digest, `sha256:${createHash('sha256').update(await readFile(path)).digest('hex')}`);
    assert.deepEqual(fromApp.releases?.map((x) => [x.release.version, x.release.digest]), fromCli.releases?.map((x) => [x.release.version, x.release.digest]));
    assert.equal(fromApp.release?.digest, rels[2]!.digest);
    assert.deepEqual(new Set(fromApp.images.map((i) => i.digest)), new Set(fromCli.images.map((i) => i.digest)));
  });

  it('still refuses a field Ferry does not carry out, with its line', async () => {
    const path = await config('helm', 'stable-4.15', '  helm:\n    repositories: []\n');
    const r = await ferry(['mirror', '--config', path, '--to-dir', dir('helm'), ...flags]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /helm\.yaml:9:3: mirror\.helm: Helm charts are not supported/);
  });
});
