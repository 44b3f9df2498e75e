import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import tar from 'tar-stream';
import { extractFileFromLayers } from '../../../electron/engine/image-files/layers';
import { pinningFilter } from '../../../electron/engine/transfer/extract';
import { parseCommandOs, selectTarget } from '../../../electron/engine/transfer/extract-targets';
import { clientBinary } from '../../support/installer-binary';

/** `--command-os` value and the payload's Go arch → [component, path], as openshift/oc extract_tools.go selects. */
function pick(command: string, commandOs: string | undefined, releaseArch = 'amd64'): [string, string] {
  const t = selectTarget(command, parseCommandOs(commandOs, releaseArch), releaseArch);
  return [t.image, t.path];
}

describe('ferry extract targets (oc adm release extract --command / --command-os)', () => {
  it('maps each platform to the image and path oc uses', () => {
    assert.deepEqual(pick('openshift-install', undefined), ['installer', 'usr/bin/openshift-install']);
    assert.deepEqual(pick('openshift-install', 'linux/amd64'), ['installer', 'usr/bin/openshift-install']);
    assert.deepEqual(pick('openshift-install', 'linux'), ['installer', 'usr/bin/openshift-install']);
    assert.deepEqual(pick('openshift-install', 'linux/arm64'), ['installer-artifacts', 'usr/share/openshift/linux_arm64/openshift-install']);
    assert.deepEqual(pick('openshift-install', 'mac'), ['installer-artifacts', 'usr/share/openshift/mac/openshift-install']);
    assert.deepEqual(pick('openshift-install', 'darwin/amd64'), ['installer-artifacts', 'usr/share/openshift/mac/openshift-install']);
    assert.deepEqual(pick('openshift-install', 'mac/arm64'), ['installer-artifacts', 'usr/share/openshift/mac_arm64/openshift-install']);
    assert.deepEqual(pick('oc', undefined), ['cli', 'usr/bin/oc']);
    assert.deepEqual(pick('oc', 'windows'), ['cli-artifacts', 'usr/share/openshift/windows/oc.exe']);
    assert.deepEqual(pick('oc', 'mac/arm64'), ['cli-artifacts', 'usr/share/openshift/mac_arm64/oc']);
    assert.deepEqual(pick('oc', 'linux/ppc64le'), ['cli-artifacts', 'usr/share/openshift/linux_ppc64le/oc']);
    assert.deepEqual(pick('oc.rhel9', 'linux/s390x'), ['cli-artifacts', 'usr/share/openshift/linux_s390x/oc.rhel9']);
  });

  it('follows the payload architecture: its own arch is the non-artifacts image; "linux" alone means linux/amd64, as in oc', () => {
    assert.deepEqual(pick('openshift-install', undefined, 'arm64'), ['installer', 'usr/bin/openshift-install']);
    assert.deepEqual(pick('openshift-install', 'linux/arm64', 'arm64'), ['installer', 'usr/bin/openshift-install']);
    assert.deepEqual(pick('openshift-install', 'linux', 'arm64'), ['installer-artifacts', 'usr/share/openshift/linux_amd64/openshift-install']);
    assert.deepEqual(pick('oc', 'linux/ppc64le', 'ppc64le'), ['cli', 'usr/bin/oc']);
  });

  it('refuses what oc does not offer, with exit-2 errors', () => {
    assert.throws(() => pick('openshift-install', 'windows'), { code: 'USAGE', message: /does not exist for windows\/amd64/ });
    assert.throws(() => pick('openshift-install', 'linux/s390x'), { code: 'USAGE' });
    assert.throws(() => pick('kubectl', undefined), { code: 'USAGE', message: /kubectl/ });
    assert.throws(() => pick('oc', '*'), { code: 'USAGE', message: /not supported/ });
    assert.throws(() => pick('oc', 'linux/amd64/v2'), { code: 'USAGE' });
    assert.throws(() => pick('oc', 'linux/'), { code: 'USAGE' });
  });
});

async function layerOf(path: string, body: Buffer) {
  const pack = tar.pack();
  pack.entry({ name: path, mode: 0o755 }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, open: async () => Readable.from([bytes]) };
}

describe('pinning a binary while it is extracted', () => {
  const target = selectTarget('openshift-install', parseCommandOs(undefined, 'amd64'), 'amd64');
  const values = { releaseImage: 'm.example:5000/ns/ocp-release@sha256:' + '0'.repeat(64), releaseVersion: '4.15.3', releaseArchitecture: 'linux/amd64' };

  it('refuses a binary without the placeholders and leaves nothing behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-pin-'));
    try {
      const bin = clientBinary({ command: 'openshift-install', format: 'elf', build: 'v1', withoutMarkers: true });
      const layer = await layerOf(target.path, bin.bytes);
      await assert.rejects(extractFileFromLayers([layer], target.path, join(dir, 'openshift-install'), 0o755, pinningFilter(target, values, 'the image')), {
        code: 'INVALID_INPUT',
        message: /has no release image or release version placeholder/,
      });
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes an installer without the (newer) architecture placeholder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-pin-'));
    try {
      const full = clientBinary({ command: 'openshift-install', format: 'elf', build: 'v1' });
      // An older installer: its architecture marker's padding is gone, so the marker does not match.
      const older = Buffer.from(full.bytes);
      older.fill(0, full.offsets.releaseArchitecture!, full.offsets.releaseArchitecture! + 40);
      const layer = await layerOf(target.path, older);
      const out = await extractFileFromLayers([layer], target.path, join(dir, 'openshift-install'), 0o755, pinningFilter(target, values, 'the image'));
      assert.equal(out.bytes, older.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
