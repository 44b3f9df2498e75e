import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { generateConfig as appGenerateConfig } from '../../../electron/host/handlers/config';
import { catalogSources, clusterCatalogs, operatorMirrorMappings, type MirroredCatalogs } from '../../../shared/config/catalog-resources';
import { configKind, generateConfig, isNotApplicable } from '../../../shared/config/kinds';
import type { Violation } from '../../../shared/config/rules';
import { FerryError } from '../../../shared/errors';
import { ferry } from '../../support/cli';
import { formatSchemaErrors, loadCrd, validateAgainstCrd, type VendoredCrd } from '../../support/crd-schema';
import { writeImageListTransfer } from '../../support/transfer-json';
import { ferryRefusal } from '../../support/refusal';

/**
 * The operator catalog kinds: CatalogSource and ClusterCatalog named as oc-mirror v2 names them
 * (openshift/oc-mirror internal/pkg/clusterresources/clusterresources_test.go: a catalog mirrored by
 * tag v4.15 is cs-redhat-operator-index-v4-15, by digest 7c4ef7434c97… is cs-redhat-operator-index-7c4ef7434c97),
 * IDMS/ITMS for bundles and operands, every object validated against the vendored upstream CRDs.
 */

const CATALOG_SOURCE = loadCrd('catalogsources', 'operator-framework');
const CLUSTER_CATALOG = loadCrd('clustercatalogs', 'operator-framework');
const IDMS = loadCrd('imagedigestmirrorsets');
const ITMS = loadCrd('imagetagmirrorsets');

const OC_MIRROR_DIGEST = 'sha256:7c4ef7434c97c8aaf6cd310874790b915b3c61fc902eea255f9177058ea9aff3';
const D1 = `sha256:${'a1'.repeat(32)}`;
const D2 = `sha256:${'b2'.repeat(32)}`;
const D3 = `sha256:${'c3'.repeat(32)}`;
const MIRROR = 'mirror.example.com:5000/ocp4';

const CATALOGS: MirroredCatalogs = {
  catalogs: [{ source: 'registry.redhat.io/redhat/redhat-operator-index:v4.15', mirrored: `${MIRROR}/redhat/redhat-operator-index@${OC_MIRROR_DIGEST}` }],
  images: [
    // A bundle and its operands, by digest as bundles name them; one operand repository twice.
    { source: `registry.redhat.io/odf4/odf-operator-bundle@${D1}`, mirrored: `${MIRROR}/odf4/odf-operator-bundle@${D1}` },
    { source: `registry.redhat.io/odf4/odf-rhel9-operator@${D2}`, mirrored: `${MIRROR}/odf4/odf-rhel9-operator@${D2}` },
    { source: `registry.redhat.io/odf4/odf-rhel9-operator@${D3}`, mirrored: `${MIRROR}/odf4/odf-rhel9-operator@${D3}` },
    // Tag and digest: pulled by digest, so an IDMS entry (oc-mirror OCPBUGS-85331).
    { source: `quay.io/ocs-dev/ocs-metrics-exporter:v4.15@${D1}`, mirrored: `${MIRROR}/ocs-dev/ocs-metrics-exporter@${D1}` },
    // A related image named by tag alone: only an ITMS redirects it.
    { source: 'registry.redhat.io/rhel9/postgresql-15:latest', mirrored: `${MIRROR}/rhel9/postgresql-15:latest` },
  ],
};

function assertValid(crd: VendoredCrd, object: unknown): void {
  const errors = validateAgainstCrd(crd, object);
  assert.deepEqual(errors, [], `${crd.kind} does not validate:\n${formatSchemaErrors(errors)}\n${JSON.stringify(object, null, 2)}`);
}

let dir: string;
let transfer: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-catalog-config-'));
  transfer = join(dir, 'transfer');
  await writeImageListTransfer(transfer, [{ source: `quay.io/openshift-release-dev/ocp-release@${D1}`, role: 'release' }], D1);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('CatalogSource: oc-mirror’s name, openshift-marketplace, grpc, the filtered catalog by digest; valid against the operator-framework CRD', () => {
  const { object, text } = catalogSources(CATALOGS);
  assert.equal(object.length, 1);
  assert.deepEqual(object[0], {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'CatalogSource',
    metadata: { name: 'cs-redhat-operator-index-7c4ef7434c97', namespace: 'openshift-marketplace' },
    spec: { image: `${MIRROR}/redhat/redhat-operator-index@${OC_MIRROR_DIGEST}`, sourceType: 'grpc' },
  });
  assert.deepEqual(parseYaml(text), object[0]);
  assertValid(CATALOG_SOURCE, object[0]);
});

test('a catalog mirrored by tag: the tag’s first 12 characters in [a-z0-9-], dots to dashes, as oc-mirror', () => {
  const byTag = (tag: string) => ({ catalogs: [{ source: `registry.redhat.io/redhat/redhat-operator-index:${tag}`, mirrored: `${MIRROR}/redhat/redhat-operator-index:${tag}` }], images: [] });
  assert.equal(catalogSources(byTag('v4.15')).object[0]!.metadata.name, 'cs-redhat-operator-index-v4-15');
  assert.equal(clusterCatalogs(byTag('v4.15')).object[0]!.metadata.name, 'cc-redhat-operator-index-v4-15');
  assert.equal(catalogSources(byTag('V4.16_Filtered-2024')).object[0]!.metadata.name, 'cs-redhat-operator-index-v4-16-filter');
  for (const o of catalogSources(byTag('v4.15')).object) assertValid(CATALOG_SOURCE, o);
  for (const o of clusterCatalogs(byTag('V4.16_Filtered-2024')).object) assertValid(CLUSTER_CATALOG, o);
});

test('ClusterCatalog: olm.operatorframework.io/v1, source type Image with the ref, priority 0 as oc-mirror writes it; valid against the operator-controller CRD', () => {
  const { object } = clusterCatalogs(CATALOGS);
  assert.deepEqual(object[0], {
    apiVersion: 'olm.operatorframework.io/v1',
    kind: 'ClusterCatalog',
    metadata: { name: 'cc-redhat-operator-index-7c4ef7434c97' },
    spec: { priority: 0, source: { image: { ref: `${MIRROR}/redhat/redhat-operator-index@${OC_MIRROR_DIGEST}` }, type: 'Image' } },
  });
  assertValid(CLUSTER_CATALOG, object[0]);
});

test('the vendored CRDs’ rules bite: a ref without tag or digest, a short digest, an unknown source type, a bad priority', () => {
  const good = clusterCatalogs(CATALOGS).object[0]!;
  const withRef = (ref: string) => ({ ...good, spec: { ...good.spec, source: { ...good.spec.source, image: { ref } } } });
  const messages = (object: unknown) => validateAgainstCrd(CLUSTER_CATALOG, object).map((e) => `${e.path}: ${e.message}`);
  assert.ok(messages(withRef('mirror.example.com/redhat/redhat-operator-index')).some((m) => m.includes('spec.source.image.ref: Invalid value: must end with a digest or a tag')));
  // With a port and no tag the upstream rule reads the port as the tag, and refuses it as one.
  assert.ok(messages(withRef(`${MIRROR}/redhat/redhat-operator-index`)).some((m) => m.includes('spec.source.image.ref: Invalid value: tag is invalid')));
  assert.ok(messages(withRef('mirror.example.com/redhat/redhat-operator-index@sha256:abc')).some((m) => m.includes('the encoded string must be at least 32 characters')));
  assert.ok(messages({ ...good, spec: { ...good.spec, source: { type: 'Git', image: good.spec.source.image } } }).some((m) => m.startsWith('spec.source.type: Unsupported value')));
  assert.ok(messages({ ...good, spec: { ...good.spec, source: { type: 'Image' } } }).some((m) => m.includes('image is required when source type is Image')));
  assert.ok(messages({ ...good, spec: { ...good.spec, priority: 2 ** 31 } }).some((m) => m.startsWith('spec.priority: Invalid value: should be less than or equal to')));
  const source = catalogSources(CATALOGS).object[0]!;
  assert.ok(validateAgainstCrd(CATALOG_SOURCE, { ...source, spec: { image: source.spec.image } }).some((e) => e.path === 'spec.sourceType' && e.message === 'Required value'));
});

test('several catalogs: one object each, as a multi-document YAML; names given in the input are used', () => {
  const input: MirroredCatalogs = {
    catalogs: [
      CATALOGS.catalogs[0]!,
      { source: 'registry.redhat.io/redhat/certified-operator-index:v4.15', mirrored: `${MIRROR}/redhat/certified-operator-index:v4.15`, name: 'certified-mirror' },
    ],
    images: [],
  };
  for (const [generate, crd] of [[catalogSources, CATALOG_SOURCE], [clusterCatalogs, CLUSTER_CATALOG]] as const) {
    const { text, object } = generate(input);
    const docs = parseAllDocuments(text).map((d) => d.toJS() as { metadata: { name: string } });
    assert.deepEqual(docs, object);
    assert.deepEqual(docs.map((d) => d.metadata.name).slice(1), ['certified-mirror']);
    for (const doc of docs) assertValid(crd, doc);
  }
});

test('refused: a mirrored catalog with neither tag nor digest, a name the API refuses, a name OLM cannot serve under', () => {
  const noSelector = ferryRefusal(() => catalogSources({ catalogs: [{ source: 'registry.redhat.io/redhat/redhat-operator-index:v4.15', mirrored: `${MIRROR}/redhat/redhat-operator-index` }], images: [] }));
  assert.equal(noSelector.code, 'INVALID_INPUT');
  assert.match(noSelector.message, /names neither a digest nor a tag/);

  const badName = ferryRefusal(() => clusterCatalogs({ catalogs: [{ ...CATALOGS.catalogs[0]!, name: 'Redhat_Operators' }], images: [] }));
  assert.equal(badName.code, 'INVALID_INPUT');
  assert.deepEqual((badName.details?.violations as Violation[]).map((v) => [v.path, v.rule]), [['metadata.name', 'Kubernetes object names']]);

  const longRepository = `${MIRROR}/redhat/${'operator-index-'.repeat(4)}filtered:v4.15`;
  const tooLong = ferryRefusal(() => catalogSources({ catalogs: [{ source: 'registry.redhat.io/x/y:v1', mirrored: longRepository }], images: [] }));
  assert.deepEqual((tooLong.details?.violations as Violation[]).map((v) => [v.path, v.rule]), [['metadata.name', 'OLM catalog names']]);
});

test('operator images: by digest (and tag+digest) to the IDMS, by tag alone to the ITMS, one entry per repository, each mirror once', () => {
  assert.deepEqual(operatorMirrorMappings(CATALOGS.images, 'digest'), [
    { source: 'registry.redhat.io/odf4/odf-operator-bundle', mirrors: [`${MIRROR}/odf4/odf-operator-bundle`] },
    { source: 'registry.redhat.io/odf4/odf-rhel9-operator', mirrors: [`${MIRROR}/odf4/odf-rhel9-operator`] },
    { source: 'quay.io/ocs-dev/ocs-metrics-exporter', mirrors: [`${MIRROR}/ocs-dev/ocs-metrics-exporter`] },
  ]);
  assert.deepEqual(operatorMirrorMappings(CATALOGS.images, 'tag'), [{ source: 'registry.redhat.io/rhel9/postgresql-15', mirrors: [`${MIRROR}/rhel9/postgresql-15`] }]);
  // The catalog itself is reached through the catalog objects, never through a mirror set.
  const idms = generateConfig(configKind('catalog-idms'), { catalogs: CATALOGS });
  assert.ok(!idms.text.includes('redhat-operator-index'));
});

test('catalog-idms and catalog-itms through the kinds table: oc-mirror’s default names, the source policy, valid against the openshift/api CRDs', () => {
  const idms = generateConfig(configKind('catalog-idms'), { catalogs: CATALOGS, mirrorSourcePolicy: 'NeverContactSource' });
  assert.equal(idms.fileName, 'imagedigestmirrorset-operators.yaml');
  const idmsObject = parseYaml(idms.text);
  assert.equal(idmsObject.metadata.name, 'idms-operator-0');
  assert.equal(idmsObject.spec.imageDigestMirrors.length, 3);
  assert.ok(idmsObject.spec.imageDigestMirrors.every((e: { mirrorSourcePolicy?: string }) => e.mirrorSourcePolicy === 'NeverContactSource'));
  assertValid(IDMS, idmsObject);

  const itms = generateConfig(configKind('catalog-itms'), { catalogs: CATALOGS, name: 'operators-by-tag' });
  const itmsObject = parseYaml(itms.text);
  assert.equal(itmsObject.metadata.name, 'operators-by-tag');
  assertValid(ITMS, itmsObject);

  for (const id of ['catalog-source', 'cluster-catalog'] as const) {
    const result = generateConfig(configKind(id), { catalogs: CATALOGS });
    assert.deepEqual(Object.keys(result).sort(), ['fileName', 'findings', 'object', 'secret', 'text']);
    assert.equal(result.secret, false);
  }
});

test('nothing pulled by tag: catalog-itms does not apply (the app leaves it out, the CLI says why)', () => {
  const digestsOnly = { catalogs: CATALOGS.catalogs, images: CATALOGS.images.filter((i) => i.source.includes('@')) };
  const e = ferryRefusal(() => generateConfig(configKind('catalog-itms'), { catalogs: digestsOnly }));
  assert.equal(e.code, 'INVALID_INPUT');
  assert.ok(isNotApplicable(e.details));
  assert.match(e.message, /No operator image is pulled by tag alone/);
});

test('a transfer without operator catalogs: the app reports the catalog kinds as not applicable, the CLI exits 2 saying so', async () => {
  await assert.rejects(appGenerateConfig({ kind: 'catalog-source', fromDir: transfer, mirror: MIRROR }), (e: FerryError) => isNotApplicable(e.details) && /carries no operator catalogs/.test(e.message));
  const r = await ferry(['config', 'cluster-catalog', '--from-dir', transfer, '--mirror', MIRROR]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /carries no operator catalogs/);
});
