import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { imageSetConfigSchema } from '../../../shared/imageset/schema';
import { transferManifestFields, transferManifestSchema } from '../../../shared/transfer/manifest';

/**
 * `graph` (the update service's graph-data image) and `platform.graph` in the recorded ImageSetConfiguration are
 * optional fields of format 1: a reader whose schema predates them (the same schema without them) still reads the
 * manifest, and a manifest without them is still valid.
 */
const D = `sha256:${'7a'.repeat(32)}`;
const source = `localhost/openshift/graph-image:latest@${D}`;
const manifest = {
  formatVersion: 1,
  id: randomUUID(),
  createdAt: new Date().toISOString(),
  tool: { name: 'ferry', version: '0.1.0' },
  requested: {
    images: [],
    imageSet: { digest: D, config: { platform: { channels: [], architectures: [], graph: true }, operators: [], additionalImages: [], blockedImages: [] } },
  },
  images: [{ source, role: 'extra', digest: D, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [D] }],
  blobs: [],
  volumes: [],
  volumeSize: 1024 ** 3,
  mirror: { sources: [{ repository: 'localhost/openshift/graph-image', role: 'extra' }] },
  graph: { url: 'https://api.openshift.com/api/upgrades_info/graph-data', archiveDigest: D, files: 3, base: `registry.access.redhat.com/ubi9/ubi@${D}`, image: { source, digest: D } },
};

test('transfer.json with graph is format 1, read by this reader and by one that predates the field', () => {
  assert.deepEqual(transferManifestSchema.parse(manifest).graph, manifest.graph);
  const older = transferManifestFields.omit({ graph: true }).extend({
    requested: transferManifestFields.shape.requested.extend({
      imageSet: transferManifestFields.shape.requested.shape.imageSet.unwrap().extend({
        config: imageSetConfigSchema.extend({ platform: imageSetConfigSchema.shape.platform.unwrap().omit({ graph: true }).optional() }),
      }).optional(),
    }),
  });
  const read = older.parse(manifest);
  assert.equal('graph' in read, false);
  assert.equal(read.images[0]?.source, source);
  const { graph: _graph, ...without } = manifest;
  assert.equal(transferManifestSchema.parse(without).graph, undefined);
});
