import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allMirrorTags } from '../../../electron/engine/transfer/destination';
import { mirroredImage, transferMembers } from '../../../electron/engine/transfer/push';
import { parseMirrorTarget } from '../../../shared/mirror-mapping';
import { carriedReleases } from '../../../shared/transfer/carried-releases';
import { transferManifestSchema, type TransferManifest } from '../../../shared/transfer/manifest';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const COMPONENTS = 'quay.io/openshift-release-dev/ocp-v4.0-art-dev';
const RELEASES = 'quay.io/openshift-release-dev/ocp-release';
const target = parseMirrorTarget('mirror.example:5000/ocp4');

const releaseInfo = (version: string, digest: string) => ({ version, architecture: 'x86_64', digest, pullspec: `${RELEASES}:${version}-x86_64`, source: `${RELEASES}:${version}-x86_64@${digest}` });
const signatures = (digest: string) => ({ digest, store: 'https://store.example', signatures: [{ index: 1, data: 'AA==', sha256: 'a'.repeat(64), keyFingerprint: 'b'.repeat(40), identity: RELEASES }], warnings: [] });
const image = (source: string, role: 'release' | 'component' | 'extra', digest: string, components?: string[]) => ({
  source,
  role,
  digest,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  manifests: [digest],
  ...(components ? { components } : {}),
});

/** transfer.json as a Ferry that knew one release per transfer wrote it (shared/transfer/manifest.ts before `releases`). */
const single = {
  formatVersion: 1,
  id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  createdAt: '2026-12-01T10:00:00.000Z',
  tool: { name: 'ferry', version: '0.1.0' },
  release: releaseInfo('4.15.4', d('4')),
  requested: { release: `${RELEASES}:4.15.4-x86_64`, images: [] },
  images: [
    image(`${RELEASES}:4.15.4-x86_64@${d('4')}`, 'release', d('4')),
    image(`${COMPONENTS}@${d('a')}`, 'component', d('a'), ['etcd']),
    image(`${COMPONENTS}@${d('b')}`, 'component', d('b'), ['cli', 'cli-alias']),
    image(`registry.example/tools/debug:1.0@${d('e')}`, 'extra', d('e')),
  ],
  blobs: [],
  volumes: [],
  volumeSize: 1024,
  mirror: { sources: [] },
  releaseSignatures: signatures(d('4')),
};

function tagsOf(m: TransferManifest): Map<string, string> {
  const members = transferMembers(m);
  const out = new Map<string, string>();
  for (const i of m.images) {
    for (const { tag, digest } of allMirrorTags(mirroredImage(i, members), target)) {
      const key = `${i.role === 'release' ? 'release' : i.role}:${tag}`;
      assert.ok(out.get(key) === undefined || out.get(key) === digest, `${key} written with two digests`);
      out.set(key, digest);
    }
  }
  return out;
}

describe('carriedReleases: every release a transfer carries, read one way', () => {
  it('reads a transfer written before `releases` as its one release, tagged as it always was', () => {
    const m = transferManifestSchema.parse(single);
    const carried = carriedReleases(m);
    assert.equal(carried.length, 1);
    assert.equal(carried[0]!.primary, true);
    assert.equal(carried[0]!.release.version, '4.15.4');
    assert.equal(carried[0]!.signatures?.digest, d('4'));
    assert.deepEqual(carried[0]!.components, [
      { name: 'etcd', digest: d('a') },
      { name: 'cli', digest: d('b') },
      { name: 'cli-alias', digest: d('b') },
    ]);
    assert.deepEqual(
      [...tagsOf(m)].sort(),
      [
        ['component:4.15.4-x86_64-cli', d('b')],
        ['component:4.15.4-x86_64-cli-alias', d('b')],
        ['component:4.15.4-x86_64-etcd', d('a')],
        ['extra:1.0', d('e')],
        ['release:4.15.4-x86_64', d('4')],
      ].sort(),
    );
    assert.deepEqual(carriedReleases({ ...m, release: undefined, releaseSignatures: undefined }), [], 'images alone carry no release');
  });

  it('adds the releases of an upgrade path in path order, each component tagged once per release under that release’s names', () => {
    const m = transferManifestSchema.parse({
      ...single,
      images: [
        ...single.images,
        image(`${RELEASES}:4.15.3-x86_64@${d('3')}`, 'release', d('3')),
        image(`${COMPONENTS}@${d('c')}`, 'component', d('c')),
      ],
      releases: [
        // 4.15.3 shares etcd (renamed) and cli with 4.15.4; its own etcd-operator travels only for it.
        { release: releaseInfo('4.15.3', d('3')), signatures: signatures(d('3')), components: { 'etcd-old-name': d('a'), cli: d('b'), 'etcd-operator': d('c') } },
      ],
    });
    const carried = carriedReleases(m);
    assert.deepEqual(
      carried.map((r) => [r.release.version, r.primary, r.signatures?.digest]),
      [
        ['4.15.3', false, d('3')],
        ['4.15.4', true, d('4')],
      ],
    );
    assert.deepEqual(carried[0]!.components, [
      { name: 'etcd-old-name', digest: d('a') },
      { name: 'cli', digest: d('b') },
      { name: 'etcd-operator', digest: d('c') },
    ]);
    const tags = tagsOf(m);
    assert.equal(tags.get('release:4.15.3-x86_64'), d('3'));
    assert.equal(tags.get('release:4.15.4-x86_64'), d('4'));
    assert.equal(tags.get('component:4.15.3-x86_64-etcd-old-name'), d('a'));
    assert.equal(tags.get('component:4.15.4-x86_64-etcd'), d('a'));
    assert.equal(tags.get('component:4.15.3-x86_64-cli'), d('b'));
    assert.equal(tags.get('component:4.15.4-x86_64-cli-alias'), d('b'));
    assert.equal(tags.get('component:4.15.3-x86_64-etcd-operator'), d('c'));
    assert.equal(tags.get('component:4.15.4-x86_64-etcd-operator'), undefined, 'a component of 4.15.3 only gets no 4.15.4 tag');
    assert.equal(tags.get('component:4.15.3-x86_64-cli-alias'), undefined, 'names are per release');
    assert.equal(tags.size, 9);
  });
});
