import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { parseImageSetConfig } from '../../../shared/imageset/config';
import { imageSetText, otherReleases, selectionFromImageSet, unchangedImport, type ImageSetRead, type JourneySelection } from '../../../shared/imageset/journey';
import { primaryAndOthers } from '../../../shared/imageset/releases';
import { selectImageSet } from '../../../shared/imageset/selection';
import { parseUpdateGraph, type UpdateGraph } from '../../../shared/update-graph';
import { catalogRequests, planKey } from '../../../renderer/src/journeys';

// The update graph recorded from api.openshift.com (candidate-4.15, amd64): the channel resolution is the CLI's.
const graph = parseUpdateGraph(readFileSync(new URL('../../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url), 'utf8'), 'fixture');
const payloadOf = (v: string) => graph.nodes.find((n) => n.version === v)!.payload;
const DEFAULT = '4000MiB';

/** The host's imageset.read: the CLI's reader, then the CLI's selection against the graph. */
async function read(text: string, graphOf: (channel: string, arch: string) => Promise<UpdateGraph> = async () => graph): Promise<ImageSetRead> {
  const config = parseImageSetConfig(text, 'imageset.yaml');
  const s = await selectImageSet(config, graphOf);
  return { config, releases: s.releases, images: s.images, blocked: s.blocked };
}

async function importText(text: string) {
  return selectionFromImageSet(await read(text), 'imageset.yaml', text, { volumeSize: DEFAULT });
}

const PICKED: JourneySelection = {
  release: payloadOf('4.15.10'),
  releasePick: { pullspec: payloadOf('4.15.10'), channel: 'candidate-4.15', arch: 'amd64', version: '4.15.10' },
  images: ['registry.example:5000/tools/debug:1.0', `quay.io/example/agent@sha256:${'b'.repeat(64)}`],
  catalog: {
    ref: 'registry.example:5000/ferry-catalogs/operator-index:v1',
    packages: [
      { package: 'ferry-database', channel: 'stable', min: '1.1.0', max: '1.2.0' },
      { package: 'ferry-backup', channel: '', min: '1.0', max: '' },
    ],
    withDependencies: false,
  },
  volumeSize: '8GiB',
};

// Laid out as a team keeps it in git: comments, its own order and quoting, blocked images.
const KEPT = `# Mirrored nightly by the platform team.
apiVersion: mirror.openshift.io/v2alpha1
kind: ImageSetConfiguration
mirror:
  # Pinned: the clusters are on candidate for the 4.15 rollout.
  platform:
    architectures: [amd64]
    channels:
      - name: candidate-4.15
        minVersion: "4.15.11"
        maxVersion: "4.15.11"
  additionalImages:
    - name: registry.example:5000/tools/debug:1.0   # the debug shell
    - name: registry.example:5000/tools/debug-old:0.9
  blockedImages:
    - name: debug-old
`;

describe('ImageSetConfiguration ⇄ export journey', () => {
  it('a selection made in the app → file → the CLI reader → the same selection and the same mirror request', async () => {
    const { text, notes } = imageSetText(PICKED, undefined, DEFAULT);
    assert.deepEqual(notes, []);
    assert.match(text, /^kind: ImageSetConfiguration\napiVersion: mirror\.openshift\.io\/v2alpha1\n/);
    const back = await importText(text);
    assert.deepEqual(back.selection, PICKED);
    assert.deepEqual(back.notCarried, []);
    // What `ferry mirror --config` would carry is what the plan carries.
    const cli = await selectImageSet(parseImageSetConfig(text, 'imageset.yaml'), async () => graph);
    assert.deepEqual(cli.releases.map((r) => r.payload), [PICKED.release]);
    assert.deepEqual(cli.images, PICKED.images);
    assert.deepEqual(cli.catalogs, catalogRequests(PICKED.catalog));
    assert.equal(cli.volumeSize, 8 * 1024 ** 3);
  });

  it('an empty selection is a valid file that carries nothing; the default volume size is left to the default', async () => {
    const empty: JourneySelection = { release: '', images: [], catalog: { ref: '', packages: [], withDependencies: false }, volumeSize: DEFAULT };
    const { text } = imageSetText(empty, undefined, DEFAULT);
    assert.doesNotMatch(text, /archiveSize|platform|operators|additionalImages/);
    assert.deepEqual((await importText(text)).selection, empty);
  });

  it('a release typed as a pullspec goes under platform.release, said, and comes back as that release', async () => {
    const typed: JourneySelection = { ...PICKED, releasePick: { ...PICKED.releasePick!, pullspec: payloadOf('4.15.3') }, release: 'quay.io/openshift-release-dev/ocp-release:4.15.11-x86_64' };
    const { text, notes } = imageSetText(typed, undefined, DEFAULT);
    assert.match(text, /release: quay\.io\/openshift-release-dev\/ocp-release:4\.15\.11-x86_64/);
    assert.doesNotMatch(text, /name: candidate/);
    assert.match(notes.join(' '), /platform\.release/);
    const back = await importText(text);
    assert.equal(back.selection.release, typed.release);
    assert.equal(back.selection.releasePick, undefined);
  });

  it('an imported file nobody changed goes back byte for byte; blocked images are applied and said', async () => {
    const got = await importText(KEPT);
    assert.equal(got.selection.release, payloadOf('4.15.11'));
    assert.deepEqual(got.selection.images, ['registry.example:5000/tools/debug:1.0']);
    assert.deepEqual(got.notCarried, []);
    assert.match(got.applied.join(' '), /debug-old:0\.9/);
    assert.equal(imageSetText(got.selection, got.imported, DEFAULT).text, KEPT);
    // Picking the same version again from the list is no change either.
    assert.equal(imageSetText({ ...got.selection, releasePick: { ...got.selection.releasePick! } }, got.imported, DEFAULT).text, KEPT);
  });

  it('a change rewrites only its part: comments and the other parts stay, the image list becomes the one carried', async () => {
    const got = await importText(KEPT);
    const images = [...got.selection.images, 'registry.example:5000/tools/extra:2'];
    const { text } = imageSetText({ ...got.selection, images }, got.imported, DEFAULT);
    assert.match(text, /^# Mirrored nightly by the platform team\.\napiVersion/);
    assert.ok(text.includes(KEPT.slice(KEPT.indexOf('  # Pinned'), KEPT.indexOf('  additionalImages'))), text);
    assert.doesNotMatch(text, /blockedImages|debug-old/);
    const back = await importText(text);
    assert.deepEqual(back.selection, { ...got.selection, images });
  });

  it('operators added to a file with blocked images drop the patterns (the reader refuses both) and keep the carried images', async () => {
    const got = await importText(KEPT);
    const withOperators = { ...got.selection, catalog: PICKED.catalog };
    const { text } = imageSetText(withOperators, got.imported, DEFAULT);
    assert.doesNotMatch(text, /blockedImages/);
    assert.deepEqual((await importText(text)).selection, withOperators);
  });

  it('operators changed in a file without blocked images leave its image list as it was, comments and all', async () => {
    const text = KEPT.replace(/ {2}blockedImages:\n.*\n/, '');
    const got = await importText(text);
    const { text: out } = imageSetText({ ...got.selection, catalog: PICKED.catalog }, got.imported, DEFAULT);
    assert.ok(out.includes('    - name: registry.example:5000/tools/debug:1.0 # the debug shell\n'), out);
    assert.match(out, /operators:\n {4}- catalog: registry\.example:5000\/ferry-catalogs\/operator-index:v1\n/);
  });

  it('what the journey cannot hold is said, and an export writes what the app carries instead', async () => {
    const text = `apiVersion: mirror.openshift.io/v2alpha1
kind: ImageSetConfiguration
archiveSize: 2
mirror:
  platform:
    channels:
      - name: candidate-4.15
        minVersion: 4.15.3
        maxVersion: 4.15.11
        shortestPath: true
  operators:
    - catalog: registry.example:5000/a/index:v1
      packages:
        - name: one
          minVersion: 0.1.0
          channels:
            - name: stable
            - name: fast
    - catalog: registry.example:5000/b/index:v1
      packages:
        - name: two
`;
    const got = await importText(text);
    assert.equal(got.notCarried.length, 2, got.notCarried.join('\n'));
    // What is not carried makes the transfer another than the file's.
    assert.equal(unchangedImport(got.selection, got.imported), undefined);
    assert.match(got.notCarried[0]!, /registry\.example:5000\/b\/index:v1 is left out/);
    assert.match(got.notCarried[1]!, /one keeps stable, not fast/);
    // The shortest path's three releases all travel: nothing of the platform is lost.
    assert.equal(got.selection.release, payloadOf('4.15.11'));
    assert.deepEqual(otherReleases(got.selection), [payloadOf('4.15.3'), payloadOf('4.15.10')]);
    assert.deepEqual(got.selection.catalog, { ref: 'registry.example:5000/a/index:v1', packages: [{ package: 'one', channel: 'stable', min: '0.1.0', max: '' }], withDependencies: true });
    assert.equal(got.selection.volumeSize, '2GiB');
    const out = imageSetText(got.selection, got.imported, DEFAULT).text;
    assert.notEqual(out, text);
    const back = await importText(out);
    assert.deepEqual(back.notCarried, []);
    assert.deepEqual(back.selection, got.selection);
    assert.match(out, /^archiveSize: 2$/m);
  });

  it('a channel range fills every release it selects, split as the CLI splits it, and goes back byte for byte', async () => {
    const text = `apiVersion: mirror.openshift.io/v2alpha1
kind: ImageSetConfiguration
mirror:
  platform:
    channels:
      - name: candidate-4.15   # the rollout
        minVersion: 4.15.2
        maxVersion: 4.15.5
`;
    const got = await importText(text);
    assert.deepEqual(got.notCarried, []);
    const cli = await selectImageSet(parseImageSetConfig(text, 'imageset.yaml'), async () => graph);
    const { primary, others } = primaryAndOthers(cli.releases);
    assert.deepEqual(cli.releases.map((r) => r.version), ['4.15.2', '4.15.3', '4.15.4', '4.15.5']);
    assert.equal(got.selection.release, primary!.payload);
    assert.deepEqual(otherReleases(got.selection), others.map((r) => r.payload));
    assert.deepEqual(got.selection.releasePick, { pullspec: payloadOf('4.15.5'), channel: 'candidate-4.15', arch: 'amd64', version: '4.15.5', from: '4.15.2', releases: others.map((r) => r.payload) });
    assert.equal(imageSetText(got.selection, got.imported, DEFAULT).text, text);
    assert.equal(unchangedImport(got.selection, got.imported), got.imported);
    assert.equal(unchangedImport({ ...got.selection, images: ['registry.example:5000/x:1'] }, got.imported), undefined);
    // Another release picked: the path no longer travels, and the file names the new release alone.
    const other = { ...got.selection, release: payloadOf('4.15.10'), releasePick: { pullspec: payloadOf('4.15.10'), channel: 'candidate-4.15', arch: 'amd64', version: '4.15.10' } };
    assert.deepEqual(otherReleases(other), []);
    // A plan made for the path says nothing about a transfer of one release.
    const media = { toDir: '/media', volumeSize: DEFAULT, since: '', withRegistry: false };
    assert.notEqual(planKey({ ...got.selection, ...media }), planKey({ ...got.selection, ...media, releasePick: { ...got.selection.releasePick!, releases: [] } }));
    const out = imageSetText(other, got.imported, DEFAULT).text;
    assert.match(out, /minVersion: 4\.15\.10\n\s+maxVersion: 4\.15\.10/);
    // A release typed over the picked one drops the path too.
    assert.deepEqual(otherReleases({ ...got.selection, release: 'quay.io/x/y:1' }), []);
  });

  it('a range picked in the app is written as minVersion/maxVersion (and shortestPath) and the CLI carries the same releases', async () => {
    for (const shortestPath of [false, true]) {
      const CLI = shortestPath ? ['4.15.3', '4.15.10', '4.15.11'] : ['4.15.3', '4.15.4', '4.15.5', '4.15.10', '4.15.11'];
      const ranged: JourneySelection = {
        ...PICKED,
        release: payloadOf('4.15.11'),
        releasePick: { pullspec: payloadOf('4.15.11'), channel: 'candidate-4.15', arch: 'amd64', version: '4.15.11', from: '4.15.3', releases: CLI.slice(0, -1).map(payloadOf), ...(shortestPath ? { shortestPath } : {}) },
      };
      const { text, notes } = imageSetText(ranged, undefined, DEFAULT);
      assert.deepEqual(notes, []);
      assert.match(text, new RegExp(`minVersion: 4\\.15\\.3\\n\\s+maxVersion: 4\\.15\\.11${shortestPath ? '\\n\\s+shortestPath: true' : '\\n'}`));
      const cli = await selectImageSet(parseImageSetConfig(text, 'imageset.yaml'), async () => graph);
      assert.deepEqual(cli.releases.map((r) => r.version), CLI);
      const back = await importText(text);
      assert.deepEqual(back.selection, ranged);
      assert.deepEqual(back.notCarried, []);
    }
  });

  it('without the update graph the release is not filled and that is said; the rest is', async () => {
    const unreachable = async (): Promise<UpdateGraph> => {
      throw new Error('unreachable');
    };
    const config = parseImageSetConfig(KEPT, 'imageset.yaml');
    const rest = await selectImageSet({ ...config, platform: undefined }, unreachable);
    const got = selectionFromImageSet({ config, releases: rest.releases, images: rest.images, blocked: rest.blocked, graphError: 'api.openshift.com cannot be reached' }, 'imageset.yaml', KEPT, { volumeSize: DEFAULT });
    assert.equal(got.selection.release, '');
    assert.match(got.notCarried.join(' '), /update graph could not be read \(api\.openshift\.com cannot be reached\)/);
    assert.deepEqual(got.selection.images, ['registry.example:5000/tools/debug:1.0']);
  });

  it('graph: true is carried: imported, unchanged, written back, and dropped from the file when unticked', async () => {
    const text = `apiVersion: mirror.openshift.io/v2alpha1
kind: ImageSetConfiguration
mirror:
  platform:
    graph: true   # the site runs the update service
    channels:
      - name: candidate-4.15
        minVersion: 4.15.10
        maxVersion: 4.15.10
`;
    const got = await importText(text);
    assert.deepEqual(got.notCarried, []);
    assert.equal(got.selection.graph, true);
    assert.equal(unchangedImport(got.selection, got.imported), got.imported);
    assert.equal(imageSetText(got.selection, got.imported, DEFAULT).text, text);
    // Unticked: the transfer is no longer the file's, and the file written no longer asks for the graph data.
    const without = { ...got.selection, graph: false };
    assert.equal(unchangedImport(without, got.imported), undefined);
    const out = imageSetText(without, got.imported, DEFAULT).text;
    assert.equal((await selectImageSet(parseImageSetConfig(out, 'imageset.yaml'), async () => graph)).graph, false);
    const { graph: _asked, ...rest } = got.selection;
    assert.deepEqual((await importText(out)).selection, rest);
    // A plan made with the graph image says nothing about one without it.
    const media = { toDir: '/media', volumeSize: DEFAULT, since: '', withRegistry: false };
    assert.notEqual(planKey({ ...got.selection, ...media }), planKey({ ...without, ...media }));
  });

  it('graph ticked in the app is written as platform.graph, with or without a release, and the CLI carries the graph image', async () => {
    const { releasePick: _pick, ...unpicked } = PICKED;
    for (const s of [{ ...PICKED, graph: true }, { ...unpicked, release: '', graph: true }]) {
      const { text, notes } = imageSetText(s, undefined, DEFAULT);
      assert.deepEqual(notes, []);
      assert.match(text, /^ {4}graph: true$/m);
      const cli = await selectImageSet(parseImageSetConfig(text, 'imageset.yaml'), async () => graph);
      assert.equal(cli.graph, true);
      const back = await importText(text);
      assert.deepEqual(back.notCarried, [], 'a platform that asks only for the graph data is no loss');
      assert.deepEqual(back.selection, s);
    }
  });

  it('a volume size archiveSize cannot say is said and left out', () => {
    const { text, notes } = imageSetText({ ...PICKED, volumeSize: '1500MiB' }, undefined, DEFAULT);
    assert.doesNotMatch(text, /archiveSize/);
    assert.match(notes.join(' '), /whole number of GiB.*1500MiB/);
  });
});
