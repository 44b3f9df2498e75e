import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { createEngineContext, engineOptionsFrom } from '../../electron/engine/context';
import { ferry, worldFlags } from '../support/cli';
import { inspectManifest } from '../support/push';
import { pushRelease, type FixtureRelease } from '../support/release';
import { pushCosignSignature, pushReferrer, type PushedArtifact } from '../support/signature-artifacts';
import { tempDir, type TempDir } from '../support/tmp';
import { registryLog, skopeo, startTestWorld, type TestWorld } from '../support/world';

const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';
const COMPONENTS = 'openshift-release-dev/ocp-v4.0-art-dev';

/**
 * Issue 14 item 7, image signatures: a cosign `.sig` tag and an OCI 1.1 referrer (through the referrers tag
 * schema: Debian's docker-registry 2.8 has no referrers API) beside release components in the source travel
 * on the media and are pushed beside the components in the mirror, byte for byte, under the same tags.
 */
describe('signature artifacts travel with their images', () => {
  let world: TestWorld;
  let rel: FixtureRelease;
  let work: TempDir;
  let signed: FixtureRelease['components'][number];
  let referred: FixtureRelease['components'][number];
  let sig: PushedArtifact;
  let referrer: PushedArtifact & { index: string };
  let manifest: TransferManifest;
  /** Referrers API requests the source registry logged during the mirror. */
  let referrersAsked: number;
  const transferDir = () => join(work.path, 'usb');

  before(async () => {
    world = await startTestWorld();
    rel = await pushRelease(world, '4.15.3');
    work = tempDir('signature-artifacts');
    signed = rel.components.find((c) => c.name !== 'installer')!;
    referred = rel.components.find((c) => c !== signed && c.mediaType.includes('oci'))!;
    sig = await pushCosignSignature(world, `${world.source.host}/${COMPONENTS}`, { digest: signed.digest, reference: signed.quayRef }, work.path);
    const subject = await inspectManifest(world, `${world.source.host}/${COMPONENTS}@${referred.digest}`);
    referrer = await pushReferrer(world, `${world.source.host}/${COMPONENTS}`, { digest: referred.digest, mediaType: subject.mediaType, size: Buffer.byteLength(subject.raw) }, work.path);
    const logFrom = (await registryLog(world.source)).length;
    const r = await ferry([
      'mirror', '--release', RELEASE, '--to-dir', transferDir(), '--no-release-signatures',
      '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`, ...worldFlags(world),
    ]);
    assert.equal(r.code, 0, r.stderr);
    manifest = JSON.parse(await readFile(join(transferDir(), 'transfer.json'), 'utf8')) as TransferManifest;
    referrersAsked = [...(await registryLog(world.source)).slice(logFrom).matchAll(/"GET \/v2\/\S+\/referrers\/sha256:/g)].length;
  });
  after(async () => {
    await world?.stop();
    await work?.cleanup();
  });

  it('the source registry (docker-registry 2.8) has no referrers API: Ferry falls back to the referrers tag', async () => {
    const ctx = await createEngineContext(engineOptionsFrom({ authfile: world.authfile, caFile: [world.ca.certPath] }));
    try {
      assert.equal(await ctx.registry(world.source.host).getReferrers(COMPONENTS, referred.digest), undefined);
    } finally {
      await ctx.close();
    }
    // The mirror asked it once: the images planned beside the first waited for its answer.
    assert.equal(referrersAsked, 1);
  });

  it('mirror to disk carries the cosign signature and the referrers index with the release, under their tags', () => {
    const quay = `quay.io/${COMPONENTS}`;
    const carriedSig = manifest.images.find((i) => i.source === `${quay}:${sig.tag}@${sig.digest}`);
    assert.ok(carriedSig, manifest.images.map((i) => i.source).join('\n'));
    assert.equal(carriedSig.role, 'component');
    const carriedIndex = manifest.images.find((i) => i.source === `${quay}:${referrer.tag}@${referrer.index}`);
    assert.ok(carriedIndex, 'the referrers tag index is carried');
    assert.deepEqual(carriedIndex.manifests, [referrer.index, referrer.digest]);
    // Only the artifacts that exist: one cosign tag, one referrers index.
    assert.equal(manifest.images.filter((i) => /:sha256-[0-9a-f]{64}(\.sig)?@/.test(i.source)).length, 2);
  });

  it('push puts the .sig tag and the referrers tag beside the components in the mirror, digests unchanged', async () => {
    const p = await ferry(['push', '--from-dir', transferDir(), '--to', `${world.mirror.host}/ocp4`, '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(p.code, 0, p.stderr);
    const tags = JSON.parse((await skopeo(world, ['list-tags', `docker://${world.mirror.host}/ocp4/ocp-v4.0-art-dev`])).stdout) as { Tags: string[] };
    assert.ok(tags.Tags.includes(sig.tag), tags.Tags.join(' '));
    assert.ok(tags.Tags.includes(referrer.tag), tags.Tags.join(' '));
    const mirroredSig = await inspectManifest(world, `${world.mirror.host}/ocp4/ocp-v4.0-art-dev:${sig.tag}`);
    assert.equal(mirroredSig.digest, sig.digest);
    assert.match(mirroredSig.raw, /dev\.cosignproject\.cosign\/signature/);
    const mirroredIndex = await inspectManifest(world, `${world.mirror.host}/ocp4/ocp-v4.0-art-dev:${referrer.tag}`);
    assert.equal(mirroredIndex.digest, referrer.index);
    const mirroredReferrer = await inspectManifest(world, `${world.mirror.host}/ocp4/ocp-v4.0-art-dev@${referrer.digest}`);
    assert.equal((JSON.parse(mirroredReferrer.raw) as { subject: { digest: string } }).subject.digest, referred.digest);
    const against = await ferry(['verify', '--dir', transferDir(), '--against', `${world.mirror.host}/ocp4`, ...worldFlags(world)]);
    assert.equal(against.code, 0, against.stdout + against.stderr);
  });
});
