import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FerryError } from '../../shared/errors';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { NO_ENGINE_DEFAULTS } from '../../electron/jobs/engine-options';
import { MemorySecretStore } from '../../electron/jobs/secrets/secret-store';
import { testConnection } from '../../electron/host/handlers/registry';
import { ferry, worldFlags } from '../support/cli';
import { addImage, addIndex, addLayer } from '../support/layers';
import { OciLayoutWriter } from '../support/oci-layout';
import type { TestPki } from '../support/pki';
import { inspectManifest, pushFromLayout } from '../support/push';
import { pushRelease, type FixtureRelease } from '../support/release';
import { startRegistry, type RegistryProcess } from '../support/registry-process';
import { tempDir } from '../support/tmp';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';
const USER = 'kit-admin';
const PASSWORD = 'pw-kit-media-7d2e91';

/**
 * Issue 21: one disk bootstraps the site. The registry image travels with the release
 * (`mirror --with-registry`, default docker.io/library/registry:2, here served by the test source
 * through --source-mirror), the kit is made from the media with that image as an oci-archive, skopeo
 * reads the archive with the source's digest, and the real registry started on the kit's files takes
 * the transfer pushed with the kit's credentials.
 *
 * The registry image is shaped like Docker Hub's registry:2: a Docker manifest list of per-arch
 * schema2 images holding /bin/registry and /etc/docker/registry/config.yml.
 */
describe('registry kit from the media', () => {
  let world: TestWorld;
  let rel: FixtureRelease;
  let work: { path: string; cleanup(): Promise<void> };
  let flags: string[];
  let platforms: Record<string, string>;
  let transferDir: string;
  let kitDir: string;
  let registry: RegistryProcess | undefined;

  before(async () => {
    world = await startTestWorld();
    rel = await pushRelease(world, '4.15.3');
    work = tempDir('ferry-kit-media-');
    const layout = await new OciLayoutWriter(join(work.path, 'registry-image')).init();
    const children = [];
    for (const architecture of ['amd64', 'arm64']) {
      const layer = await addLayer(layout, [
        { path: 'bin/registry', content: `distribution registry for ${architecture}\n` },
        { path: 'etc/docker/registry/config.yml', content: 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\nhttp:\n  addr: :5000\n' },
      ]);
      children.push(await addImage(layout, { layers: [layer], platform: { os: 'linux', architecture }, cmd: ['/etc/docker/registry/config.yml'] }));
    }
    layout.tag('registry', await addIndex(layout, children));
    await layout.save();
    await pushFromLayout(world, layout, 'registry', `${world.source.host}/library/registry:2`, { all: true, format: 'v2s2' });
    const list = JSON.parse((await inspectManifest(world, `${world.source.host}/library/registry:2`)).raw) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
    platforms = Object.fromEntries(list.manifests.map((m) => [m.platform.architecture, m.digest]));
    flags = [
      ...worldFlags(world),
      '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`,
      '--source-mirror', `docker.io/library=${world.source.host}/library`,
    ];
    transferDir = join(work.path, 'usb');
    kitDir = join(work.path, 'kit');
  });
  after(async () => {
    await registry?.stop();
    await world?.stop();
    await work?.cleanup();
  });

  it('carries the default registry image, pinned to the node platform of the release', async () => {
    const r = await ferry(['mirror', '--release', RELEASE, '--with-registry', '--to-dir', transferDir, ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(await readFile(join(transferDir, 'transfer.json'), 'utf8')) as TransferManifest;
    const pinned = `docker.io/library/registry@${platforms.amd64}`;
    assert.deepEqual(manifest.requested.registry, { ref: 'docker.io/library/registry:2', platform: 'linux/amd64', source: pinned });
    const image = manifest.images.find((i) => i.source === pinned);
    assert.ok(image, 'the registry image is one of the transfer’s images');
    assert.equal(image.digest, platforms.amd64);
    assert.equal(manifest.images.filter((i) => i.source.includes('library/registry')).length, 1, 'only the node’s platform');
    assert.match(r.stdout, /Carries the mirror registry docker\.io\/library\/registry:2 \(linux\/amd64\)/);
  });

  it('refuses a platform the registry image does not offer, naming the ones it does', async () => {
    const r = await ferry(['mirror', '--release', RELEASE, '--with-registry', '--registry-platform', 'linux/s390x', '--to-dir', join(work.path, 'never'), ...flags]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /has no linux\/s390x image \(it offers: linux\/amd64, linux\/arm64\)/);
    await assert.rejects(readdir(join(work.path, 'never')), /ENOENT/);
  });

  it('writes the kit with the image as an oci-archive skopeo reads, with the source digest, run by digest', async () => {
    const r = await ferry(['registry-kit', '--from-dir', transferDir, '--host', 'localhost', '--ip', '127.0.0.1', '--user', USER, '--password-stdin', '--to', kitDir], { input: PASSWORD });
    assert.equal(r.code, 0, r.stderr);
    const archive = join(kitDir, 'images/registry.oci.tar');
    const raw = await skopeo(world, ['inspect', '--raw', `oci-archive:${archive}`]);
    assert.equal(`sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`, platforms.amd64);
    const inspected = JSON.parse((await skopeo(world, ['inspect', `oci-archive:${archive}`])).stdout) as { Digest: string; Architecture: string };
    assert.equal(inspected.Digest, platforms.amd64);
    assert.equal(inspected.Architecture, 'amd64');
    // The node runs it by image ID: the digest of the config the manifest names.
    const config = (JSON.parse(raw.stdout) as { config: { digest: string } }).config.digest;
    const configBytes = await skopeo(world, ['inspect', '--config', '--raw', `oci-archive:${archive}`]);
    assert.equal(`sha256:${createHash('sha256').update(configBytes.stdout).digest('hex')}`, config);
    const runScript = await readFile(join(kitDir, 'scripts/run-registry.sh'), 'utf8');
    assert.match(runScript, new RegExp(`^  ${config.slice('sha256:'.length)}$`, 'm'));
    assert.match(await readFile(join(kitDir, 'etc/systemd/system/mirror-registry.service'), 'utf8'), new RegExp(` ${config.slice('sha256:'.length)}$`, 'm'));
    const readme = await readFile(join(kitDir, 'README.md'), 'utf8');
    const steps = [...readme.matchAll(/^## \d+\. (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(steps.slice(0, 7), ['Install the files', 'Load the registry image', 'Run the registry', 'Open the port (scripts/firewall.sh)', 'Trust the CA (scripts/trust-ca.sh), on the node and on every host that pushes or pulls', 'Check it', 'Push the transfer into it']);
    assert.match(readme, /sudo podman load -i images\/registry\.oci\.tar/);
    assert.ok(!readme.includes(PASSWORD));
  });

  it('starts the real registry on the kit, confirms TLS with ferry ca check, and takes the transfer with the kit’s credentials', async () => {
    const caPem = await readFile(join(kitDir, 'ca/localhost-ca.crt'), 'utf8');
    const kitPki = {
      ca: { certPath: join(kitDir, 'ca/localhost-ca.crt'), derPath: '', keyPath: join(kitDir, 'ca/ca.key'), certPem: caPem },
      server: { certPath: join(kitDir, 'opt/registry/certs/domain.crt'), keyPath: join(kitDir, 'opt/registry/certs/domain.key') },
    } as TestPki;
    registry = await startRegistry({ dir: join(work.path, 'node'), pki: kitPki, auth: { htpasswd: { realm: 'Registry Realm', path: join(kitDir, 'opt/registry/auth/htpasswd') } } });
    const kitCa = join(kitDir, 'ca/localhost-ca.crt');
    const check = await ferry(['ca', 'check', '--registry', registry.host, '--ca-file', kitCa, '--json']);
    assert.equal(check.code, 0, check.stderr + check.stdout);
    assert.equal((JSON.parse(check.stdout) as { chainVerified: boolean }).chainVerified, true);

    // The import journey's connection test, as the app runs it after "use as the target registry":
    // the kit's CA and the password saved under the name the step gives it.
    const secrets = new MemorySecretStore();
    await secrets.save({ name: `registry:${registry.host}`, kind: 'registry-password', registry: registry.host, username: USER }, PASSWORD);
    const tested = await testConnection(secrets, NO_ENGINE_DEFAULTS, { registry: registry.host, caPem, credentialRef: `registry:${registry.host}` });
    assert.equal(tested.tls.trusted, true);
    assert.equal(tested.auth, 'basic');
    assert.equal(tested.username, USER);
    await secrets.save({ name: 'wrong', kind: 'registry-password', registry: registry.host, username: USER }, `${PASSWORD}-not`);
    await assert.rejects(testConnection(secrets, NO_ENGINE_DEFAULTS, { registry: registry.host, caPem, credentialRef: 'wrong' }), (e: FerryError) => e.code === 'AUTH_DENIED');

    const authfile = join(work.path, 'node-auth.json');
    await writeFile(authfile, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }), { mode: 0o600 });
    const target = `${registry.host}/ocp4`;
    const push = await ferry(['push', '--from-dir', transferDir, '--to', target, '--authfile', authfile, '--ca-file', kitCa, '--allow-unsigned']);
    assert.equal(push.code, 0, push.stderr);
    const verify = await ferry(['verify', '--dir', transferDir, '--against', target, '--authfile', authfile, '--ca-file', kitCa]);
    assert.equal(verify.code, 0, verify.stderr + verify.stdout);
    assert.match(verify.stdout, /: (\d+) of \1 image\(s\) present by digest/);
    assert.ok(verify.stdout.includes(`${rel.components.length + 2} of`), 'the release, its components and the registry image');
  });

  it('refuses a kit from a transfer that carries no registry image, before writing any key', async () => {
    const plain = join(work.path, 'plain');
    const m = await ferry(['mirror', '--image', `${world.source.host}/library/registry:2`, '--to-dir', plain, ...flags]);
    assert.equal(m.code, 0, m.stderr);
    const r = await ferry(['registry-kit', '--from-dir', plain, '--host', 'localhost', '--user', USER, '--password-stdin', '--to', join(work.path, 'kit2')], { input: PASSWORD });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /does not carry a registry image/);
    assert.match(r.stderr, /--with-registry/);
    await assert.rejects(readdir(join(work.path, 'kit2')), /ENOENT/);
  });
});
