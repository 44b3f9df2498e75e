import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { generateConfig as appGenerateConfig } from '../../../electron/host/handlers/config';
import { configKind, generateConfig, isNotApplicable } from '../../../shared/config/kinds';
import type { Violation } from '../../../shared/config/rules';
import { parseMirrorTarget } from '../../../shared/mirror-mapping';
import { FerryError } from '../../../shared/errors';
import { formatSchemaErrors, loadCrd, validateAgainstCrd } from '../../support/crd-schema';
import { writeImageListTransfer } from '../../support/transfer-json';
import { ferryRefusal } from '../../support/refusal';

/**
 * The update service kinds: the UpdateService CR as oc-mirror v2 writes it (openshift/oc-mirror
 * internal/pkg/clusterresources/clusterresources.go UpdateServiceGenerator: update-service-oc-mirror in
 * openshift-update-service, replicas 2), valid against openshift/cincinnati-operator's CRD, and the ClusterVersion
 * upstream patch of the OpenShift docs.
 */
const UPDATE_SERVICE = loadCrd('updateservices', 'cincinnati-operator');
const MIRROR = 'mirror.example.com:5000/ocp4';
const DIGEST = `sha256:${'4e'.repeat(32)}`;
const GRAPH = { graphDataImage: `${MIRROR}/openshift/graph-image@${DIGEST}`, releases: `${MIRROR}/ocp-release` };

test('update-service: oc-mirror’s name, namespace and replicas, the graph image by digest and the release repository; valid upstream', () => {
  const r = generateConfig(configKind('update-service'), { target: parseMirrorTarget(MIRROR), graph: GRAPH });
  assert.equal(r.fileName, 'updateservice.yaml');
  assert.deepEqual(parseYaml(r.text), r.object);
  assert.deepEqual(r.object, {
    apiVersion: 'updateservice.operator.openshift.io/v1',
    kind: 'UpdateService',
    metadata: { name: 'update-service-oc-mirror', namespace: 'openshift-update-service' },
    spec: { replicas: 2, releases: `${MIRROR}/ocp-release`, graphDataImage: `${MIRROR}/openshift/graph-image@${DIGEST}` },
  });
  const errors = validateAgainstCrd(UPDATE_SERVICE, r.object);
  assert.deepEqual(errors, [], formatSchemaErrors(errors));
  // The schema is really checked: a CR without releases, or with no replica, is refused by it.
  const obj = r.object as { spec: Record<string, unknown> };
  assert.ok(validateAgainstCrd(UPDATE_SERVICE, { ...obj, spec: { ...obj.spec, releases: undefined } }).some((e) => e.path === 'spec.releases'));
  assert.ok(validateAgainstCrd(UPDATE_SERVICE, { ...obj, spec: { ...obj.spec, replicas: 0 } }).some((e) => e.path === 'spec.replicas'));
  assert.ok(r.findings.some((f) => f.level === 'warning' && /updateservice-registry/.test(f.message) && f.message.includes('mirror.example.com:5000')));
});

test('update-service: a name whose policy-engine route label would pass 63 characters is refused with the operator’s rule', () => {
  const e = ferryRefusal(() => generateConfig(configKind('update-service'), { target: parseMirrorTarget(MIRROR), graph: GRAPH, name: 'a-very-long-update-service-name-for-this-site' }));
  assert.equal(e.code, 'INVALID_INPUT');
  const v = (e.details as { violations: Violation[] }).violations;
  assert.deepEqual(v.map((x) => [x.path, x.rule]), [['metadata.name', 'cincinnati-operator route names']]);
  assert.equal(ferryRefusal(() => generateConfig(configKind('update-service'), { target: parseMirrorTarget(MIRROR), graph: GRAPH, name: 'Upper' })).code, 'INVALID_INPUT');
});

test('cluster-version-upstream: with the ingress domain, the policy engine’s graph URL written out; without, the docs’ lookup', () => {
  const known = generateConfig(configKind('cluster-version-upstream'), { target: parseMirrorTarget(MIRROR), graph: GRAPH, appsDomain: 'apps.ocp.example.com' });
  const url = 'https://update-service-oc-mirror-route-openshift-update-service.apps.ocp.example.com/api/upgrades_info/v1/graph';
  assert.deepEqual(known.object, { spec: { upstream: url } });
  assert.match(known.text, new RegExp(`^oc patch clusterversion/version --type merge --patch '\\{"spec":\\{"upstream":"${url.replaceAll('.', '\\.')}"\\}\\}'$`, 'm'));
  const lookup = generateConfig(configKind('cluster-version-upstream'), { target: parseMirrorTarget(MIRROR), graph: GRAPH, name: 'service' });
  assert.match(lookup.text, /oc -n openshift-update-service get -o jsonpath='\{\.status\.policyEngineURI\}\/api\/upgrades_info\/v1\/graph\{"\\n"\}' updateservice service\)"/);
  assert.match(lookup.text, /^oc patch clusterversion\/version --type merge --patch "\$\{PATCH\}"$/m);
  assert.equal(ferryRefusal(() => generateConfig(configKind('cluster-version-upstream'), { target: parseMirrorTarget(MIRROR), graph: GRAPH, appsDomain: 'https://apps.example.com' })).code, 'INVALID_INPUT');
});

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-update-service-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('a transfer without graph data: both kinds do not apply (the app leaves them out)', async () => {
  await writeImageListTransfer(dir, [{ source: `quay.io/openshift-release-dev/ocp-release@${DIGEST}`, role: 'release' }], DIGEST);
  for (const kind of ['update-service', 'cluster-version-upstream'] as const) {
    await assert.rejects(appGenerateConfig({ kind, fromDir: dir, mirror: MIRROR }), (e: FerryError) => isNotApplicable(e.details) && /carries no update graph data/.test(e.message));
  }
});

test('the app’s config step: a transfer that carried the graph image gets the UpdateService at it in this mirror, and no mirror set for it', async () => {
  const withGraph = join(dir, 'with-graph');
  const graphSource = `localhost/openshift/graph-image:latest@${DIGEST}`;
  await writeImageListTransfer(withGraph, [{ source: `quay.io/openshift-release-dev/ocp-release@${DIGEST}`, role: 'release' }, { source: graphSource, role: 'extra' }], DIGEST);
  const file = join(withGraph, 'transfer.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  manifest.graph = { url: 'https://api.openshift.com/api/upgrades_info/graph-data', archiveDigest: DIGEST, files: 3, base: `registry.access.redhat.com/ubi9/ubi@${DIGEST}`, image: { source: graphSource, digest: DIGEST } };
  await writeFile(file, JSON.stringify(manifest));
  const us = await appGenerateConfig({ kind: 'update-service', fromDir: withGraph, mirror: MIRROR });
  assert.deepEqual((parseYaml(us.text) as { spec: unknown }).spec, { replicas: 2, releases: `${MIRROR}/ocp-release`, graphDataImage: `${MIRROR}/openshift/graph-image@${DIGEST}` });
  const idms = await appGenerateConfig({ kind: 'idms', fromDir: withGraph, mirror: MIRROR });
  assert.match(idms.text, /ocp-release/);
  assert.doesNotMatch(idms.text, /graph-image/);
});
