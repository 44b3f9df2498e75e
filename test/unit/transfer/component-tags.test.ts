import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allMirrorTags, componentTags, mirrorTags } from '../../../electron/engine/transfer/destination';
import { parseMirrorTarget } from '../../../shared/mirror-mapping';
import { imageRequests } from '../../../electron/engine/transfer/plan';
import type { ResolvedRelease } from '../../../electron/engine/release/resolve';
import { parseReference } from '../../../shared/reference';
import { receiptSchema } from '../../../shared/transfer/receipt';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const comp = (digest: string) => ({ ...parseReference(`quay.io/openshift-release-dev/ocp-v4.0-art-dev@${digest}`), digest });

describe('component tags (oc adm release mirror)', () => {
  it('are VERSION-ARCH-NAME for each image-references name, as mirror.go formats them', () => {
    const image = { source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D1}`, role: 'component' as const, digest: D1, components: ['installer', 'installer-alias'] };
    assert.deepEqual(componentTags(image, { version: '4.15.3', architecture: 'x86_64' }), ['4.15.3-x86_64-installer', '4.15.3-x86_64-installer-alias']);
    assert.deepEqual(componentTags(image, { version: '4.16.0', architecture: 'multi' }), ['4.16.0-multi-installer', '4.16.0-multi-installer-alias']);
    assert.deepEqual(componentTags({ ...image, role: 'extra' }, { version: '4.15.3', architecture: 'x86_64' }), []);
    assert.deepEqual(componentTags(image, undefined), []);
    // A transfer written before components were recorded: pushed by digest only, as before.
    const { components: _c, ...old } = image;
    assert.deepEqual(componentTags(old, { version: '4.15.3', architecture: 'x86_64' }), []);
  });

  it('tag the children of a manifest list too, and the release under VERSION-ARCH; extra images get none', () => {
    const D3 = `sha256:${'3'.repeat(12)}${'f'.repeat(52)}`;
    const index = { source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D1}`, role: 'component' as const, digest: D1, components: ['pod'], manifests: [D1, D3] };
    const rel = { version: '4.15.3', architecture: 'x86_64' };
    assert.deepEqual(mirrorTags(index, rel), [
      { tag: '4.15.3-x86_64-pod', digest: D1 },
      { tag: '4.15.3-x86_64-pod-333333333333', digest: D3 },
    ]);
    assert.deepEqual(mirrorTags({ source: 'quay.io/openshift-release-dev/ocp-release:x', role: 'release', digest: D2, manifests: [D2] }, { version: '4.16.0', architecture: 'multi' }), [
      { tag: '4.16.0-multi', digest: D2 },
    ]);
    assert.deepEqual(mirrorTags({ ...index, role: 'extra' }, rel), []);
  });

  it('all the names an image has in the mirror: its own tag first (a filtered catalog, an extra image), the release tags without repeating it', () => {
    const target = parseMirrorTarget('mirror.example:5000/ocp4');
    const rel = { version: '4.15.3', architecture: 'x86_64' };
    const catalog = { source: `registry.example/ferry-catalogs/operator-index:v2@${D1}`, role: 'extra' as const, digest: D1, manifests: [D1, D2] };
    assert.deepEqual(allMirrorTags(catalog, target, rel), [{ tag: 'v2', digest: D1 }]);
    assert.deepEqual(allMirrorTags({ ...catalog, source: `registry.example/ferry-operators/x@${D1}` }, target, rel), []);
    assert.deepEqual(allMirrorTags({ source: 'quay.io/openshift-release-dev/ocp-release:x', role: 'release', digest: D2, manifests: [D2] }, target, rel), [{ tag: '4.15.3-x86_64', digest: D2 }]);
  });

  it('a payload naming one image twice gives that image both names', () => {
    const release = {
      source: { ...parseReference(`quay.io/openshift-release-dev/ocp-release@${D2}`), digest: D2 },
      components: [
        { name: 'a', source: comp(D1) },
        { name: 'b', source: comp(D1) },
      ],
    } as unknown as ResolvedRelease;
    const reqs = imageRequests(release, []);
    assert.equal(reqs.length, 2);
    assert.deepEqual(reqs[1]!.components, ['a', 'b']);
    assert.equal(reqs[0]!.components, undefined);
  });

  it('receipts with and without tags both parse (the field is optional)', () => {
    const base = {
      formatVersion: 1,
      kind: 'receipt',
      createdAt: '2026-12-06T10:00:00Z',
      tool: { name: 'ferry', version: '1.0.0' },
      target: 'm.example:5000/ocp4',
      transferId: '6f1c1f8e-8a53-4a47-9d2e-0d3a0c9b1e11',
      blobs: [],
    };
    const image = { source: `quay.io/x/y@${D1}`, role: 'component', mirror: `m.example:5000/ocp4/ocp-v4.0-art-dev@${D1}`, digest: D1 };
    assert.ok(receiptSchema.safeParse({ ...base, images: [image] }).success);
    assert.ok(receiptSchema.safeParse({ ...base, images: [{ ...image, tags: ['4.15.3-x86_64-y'] }] }).success);
  });
});
