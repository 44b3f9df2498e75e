import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { FerryError } from '../../../shared/errors';
import { parseImageSetConfig, type ReleaseChannelSpec } from '../../../shared/imageset/config';
import { channelReleases } from '../../../shared/imageset/releases';
import { selectImageSet } from '../../../shared/imageset/selection';
import { parseUpdateGraph } from '../../../shared/update-graph';

// The fields and their nesting follow oc-mirror v2's API (internal/pkg/api/v2alpha1/type_config.go,
// type_platform.go, type_config_include.go); the first example is shaped like its docs' imageset-config.yaml.
const FULL = `kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
archiveSize: 4
mirror:
  platform:
    channels:
    - name: stable-4.15
      minVersion: 4.15.3
      maxVersion: 4.15.11
      shortestPath: true
    architectures:
    - amd64
  operators:
  - catalog: registry.redhat.io/redhat/redhat-operator-index:v4.15
    packages:
    - name: aws-load-balancer-operator
    - name: 3scale-operator
      channels:
      - name: threescale-2.13
        minVersion: '0.10.0'
    skipDependencies: true
  additionalImages:
  - name: registry.redhat.io/ubi8/ubi:latest
  - name: quay.io/example/tool@sha256:${'a'.repeat(64)}
`;

const BLOCKED = `kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
mirror:
  additionalImages:
  - name: registry.redhat.io/ubi8/ubi:latest
  blockedImages:
  - name: registry.redhat.io/ubi8/ubi-minimal
`;

function refusal(text: string, line: number, re: RegExp): void {
  assert.throws(
    () => parseImageSetConfig(text, 'imageset.yaml'),
    (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && e.message.startsWith(`imageset.yaml:${line}:`) && re.test(e.message) && (e.details as { line?: number }).line === line,
  );
}

describe('ImageSetConfiguration (oc-mirror v2alpha1)', () => {
  it('reads platform channels, operators, additional and blocked images as oc-mirror means them', () => {
    const c = parseImageSetConfig(FULL, 'imageset.yaml');
    assert.equal(c.archiveSizeGiB, 4);
    assert.deepEqual(c.platform, { channels: [{ name: 'stable-4.15', minVersion: '4.15.3', maxVersion: '4.15.11', shortestPath: true, full: false }], architectures: ['amd64'] });
    assert.deepEqual(c.operators, [
      {
        catalog: 'registry.redhat.io/redhat/redhat-operator-index:v4.15',
        packages: [
          { name: 'aws-load-balancer-operator', channels: [] },
          { name: '3scale-operator', channels: [{ name: 'threescale-2.13', minVersion: '0.10.0' }] },
        ],
        skipDependencies: true,
      },
    ]);
    assert.deepEqual(c.additionalImages, ['registry.redhat.io/ubi8/ubi:latest', `quay.io/example/tool@sha256:${'a'.repeat(64)}`]);
    assert.deepEqual(c.blockedImages, []);
    assert.deepEqual(parseImageSetConfig(BLOCKED, 'imageset.yaml').blockedImages, ['registry.redhat.io/ubi8/ubi-minimal']);
  });

  it('reads graph: true as oc-mirror does (the graph-data image travels) and records it; false or absent records nothing', async () => {
    const withGraph = parseImageSetConfig(FULL.replace('    architectures:\n', '    graph: true\n    architectures:\n'), 'imageset.yaml');
    assert.equal(withGraph.platform?.graph, true);
    assert.equal(parseImageSetConfig(FULL.replace('    architectures:\n', '    graph: false\n    architectures:\n'), 'imageset.yaml').platform?.graph, undefined);
    const graph = parseUpdateGraph(readFileSync(new URL('../../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url), 'utf8'), 'fixture');
    const noPlatformChannels = { ...withGraph, platform: { ...withGraph.platform!, channels: [] }, operators: [] };
    assert.equal((await selectImageSet(noPlatformChannels, async () => graph)).graph, true);
    assert.equal((await selectImageSet({ ...noPlatformChannels, platform: { channels: [], architectures: [] } }, async () => graph)).graph, false);
  });

  it('refuses what Ferry does not carry out with its path and line, never ignoring it', () => {
    refusal(`${FULL}  helm:\n    repositories: []\n`, 25, /mirror\.helm: Helm charts are not supported/);
    refusal(FULL.replace('  - name: registry.redhat.io/ubi8/ubi:latest\n', '  - name: registry.redhat.io/ubi8/ubi:latest\n    targetRepo: tools/ubi\n'), 24, /mirror\.additionalImages\[0\]\.targetRepo: targetRepo is not supported/);
    refusal(FULL.replace('    skipDependencies: true\n', '    skipDependencies: true\n    targetCatalog: my/catalog\n'), 22, /mirror\.operators\[0\]\.targetCatalog/);
    refusal(FULL.replace('    skipDependencies: true\n', '    skipDependencies: true\n    full: true\n'), 22, /mirror\.operators\[0\]\.full: full is not supported/);
    refusal(FULL.replace('    - name: aws-load-balancer-operator\n', '    - name: aws-load-balancer-operator\n      defaultChannel: stable\n'), 17, /packages\[0\]\.defaultChannel/);
    refusal(FULL.replace('      shortestPath: true\n', '      shortestPath: true\n      type: okd\n'), 11, /channels\[0\]\.type: type okd is not supported/);
    refusal(FULL.replace('    architectures:\n', '    kubeVirtContainer: true\n    architectures:\n'), 11, /kubeVirtContainer/);
    refusal(`${FULL}  blockedImages:\n  - name: registry.redhat.io/ubi8/ubi-minimal\n`, 26, /mirror\.blockedImages: blockedImages together with operators is not supported/);
    // A typo is not ignored either.
    refusal(FULL.replace('      shortestPath: true\n', '      shortestpath: true\n'), 10, /unknown field "shortestpath" for mirror\.platform\.channels\[0\]/);
  });

  it('names bad values, a wrong apiVersion, missing required fields and YAML syntax errors with their line', () => {
    refusal(FULL.replace('    architectures:\n', '    graph: "yes"\n    architectures:\n'), 11, /mirror\.platform\.graph: expected true or false/);
    refusal(FULL.replace('archiveSize: 4', 'archiveSize: 0'), 3, /archiveSize: expected a positive whole number/);
    refusal(FULL.replace('mirror.openshift.io/v2alpha1', 'mirror.openshift.io/v1alpha2'), 2, /expected apiVersion mirror\.openshift\.io\/v2alpha1/);
    refusal(FULL.replace('  - catalog: registry.redhat.io/redhat/redhat-operator-index:v4.15\n    packages:', '  - packages:'), 14, /mirror\.operators\[0\]\.catalog: is required/);
    refusal(FULL.replace("    packages:\n    - name: aws-load-balancer-operator\n    - name: 3scale-operator\n      channels:\n      - name: threescale-2.13\n        minVersion: '0.10.0'\n", ''), 14, /mirror\.operators\[0\]\.packages: is required/);
    refusal('kind: ImageSetConfiguration\napiVersion: mirror.openshift.io/v2alpha1\n', 1, /mirror: is required/);
    refusal('kind: ImageSetConfiguration\napiVersion: [unclosed\n', 3, /not valid YAML/);
    refusal('kind: ImageSetConfiguration\nkind: ImageSetConfiguration\n', 2, /not valid YAML/);
    refusal(BLOCKED.replace('ubi8/ubi-minimal', 'ubi8/ubi-minimal(['), 7, /blockedImages\[0\]\.name: not a valid regular expression/);
  });
});

describe('ImageSetConfiguration platform channels (oc-mirror defaults)', () => {
  const graph = parseUpdateGraph(readFileSync(new URL('../../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url), 'utf8'), 'fixture');
  const spec = (over: Partial<ReleaseChannelSpec>): ReleaseChannelSpec => ({ name: 'candidate-4.15', shortestPath: false, full: false, ...over });
  const versions = (s: ReleaseChannelSpec) => channelReleases(graph, s).releases.map((r) => r.version);

  it('heads only by default: the newest release of the channel', () => {
    assert.deepEqual(versions(spec({})), ['4.15.11']);
  });
  it('full: every release of the channel; a maxVersion alone also starts at the oldest', () => {
    assert.equal(versions(spec({ full: true })).length, graph.nodes.length);
    assert.deepEqual(versions(spec({ maxVersion: '4.14.15' })), ['4.14.10', '4.14.12', '4.14.15']);
  });
  it('a range, or only its shortest path', () => {
    assert.deepEqual(versions(spec({ minVersion: '4.15.3', maxVersion: '4.15.10' })), ['4.15.3', '4.15.4', '4.15.5', '4.15.10']);
    assert.deepEqual(versions(spec({ minVersion: '4.15.3', maxVersion: '4.15.11', shortestPath: true })), ['4.15.3', '4.15.10', '4.15.11']);
    assert.deepEqual(versions(spec({ minVersion: '4.15.10' })), ['4.15.10', '4.15.11']);
  });
});

describe('ImageSetConfiguration as ferry mirror takes it', () => {
  const graph = parseUpdateGraph(readFileSync(new URL('../../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url), 'utf8'), 'fixture');

  it("maps oc-mirror's IncludePackage to package specs: a minVersion alone runs to the head, a channel's own range wins, dependencies unless skipped", async () => {
    const c = parseImageSetConfig(FULL, 'imageset.yaml');
    const s = await selectImageSet({ ...c, platform: { ...c.platform!, channels: [{ name: 'candidate-4.15', minVersion: '4.15.10', shortestPath: false, full: false }] } }, async () => graph);
    assert.deepEqual(s.catalogs, [{ catalog: 'registry.redhat.io/redhat/redhat-operator-index:v4.15', packages: ['aws-load-balancer-operator', '3scale-operator:threescale-2.13@0.10.0..'], withDependencies: false }]);
    assert.deepEqual(s.releases.map((r) => r.version), ['4.15.10', '4.15.11']);
    assert.equal(s.volumeSize, 4 * 1024 ** 3);
  });

  it('blockedImages remove the additional images they match, as unanchored regular expressions', async () => {
    const s = await selectImageSet(parseImageSetConfig(BLOCKED.replace('- name: registry.redhat.io/ubi8/ubi-minimal', '- name: "ubi8/ubi:"'), 'imageset.yaml'), async () => graph);
    assert.deepEqual(s.images, []);
    assert.deepEqual(s.blocked, ['registry.redhat.io/ubi8/ubi:latest']);
  });
});
