import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseImageSetConfig } from '../../../shared/imageset/config';
import { otherReleases, selectionFromImageSet, unchangedImport, type JourneySelection } from '../../../shared/imageset/journey';
import { selectImageSet } from '../../../shared/imageset/selection';
import { parseUpdateGraph, type UpdateGraph } from '../../../shared/update-graph';
import { checkedImageSet, type ClaimedJob } from '../../../electron/jobs/imageset-claim';
import { exportMirrorRequest, NO_ENGINE_DEFAULTS, volumeSizeOf } from '../../../electron/jobs/engine-options';
import { catalogRequests } from '../../../renderer/src/journeys';

/**
 * The app's mirror job records `requested.imageSet` only for a file the host has read again and found to select what
 * the job carries: a page that claims "unchanged" while its choices differ gets the file those choices write, never
 * the claimed text. The channels resolve on the update graph recorded from api.openshift.com (candidate-4.15).
 */
const graph = parseUpdateGraph(readFileSync(new URL('../../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url), 'utf8'), 'fixture');
const payloadOf = (v: string) => graph.nodes.find((n) => n.version === v)!.payload;
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

const FILE = `# Reviewed in git.
kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
archiveSize: 2
mirror:
  platform:
    graph: true
    channels:
      - name: candidate-4.15   # the rollout
        minVersion: 4.15.3
        maxVersion: 4.15.5
  operators:
    - catalog: registry.example:5000/ferry-catalogs/operator-index:v1
      packages:
        - name: ferry-database
          channels:
            - name: stable
              minVersion: 1.1.0
  additionalImages:
    - name: registry.example:5000/tools/debug:1.0
`;

/** Counts the update-graph requests: the check costs one per channel, whichever file asks. */
function countingGraph() {
  const asked: string[] = [];
  const graphOf = async (channel: string, arch: string): Promise<UpdateGraph> => {
    asked.push(`${channel}/${arch}`);
    return graph;
  };
  return { asked, graphOf };
}

/** What the page imports (imageset.read, then the journey) and what its transfer step sends as the job's choices. */
async function imported(text: string) {
  const config = parseImageSetConfig(text, 'imageset.yaml');
  const s = await selectImageSet(config, async () => graph);
  return selectionFromImageSet({ config, releases: s.releases, images: s.images, blocked: s.blocked }, 'imageset.yaml', text, { volumeSize: '4000MiB' });
}

function jobOf(s: JourneySelection): ClaimedJob {
  return {
    ...(s.release ? { release: s.release, releases: otherReleases(s) } : {}),
    images: s.images,
    catalogs: catalogRequests(s.catalog),
    volumeSize: s.volumeSize,
    volumeBytes: volumeSizeOf(s.volumeSize),
    ...(s.graph ? { graph: true } : {}),
  };
}

describe("the app's mirror job checks the page's claim that the imported file is unchanged", () => {
  it('an honest claim records the file as it came, with one graph request for its channel', async () => {
    const got = await imported(FILE);
    assert.ok(unchangedImport(got.selection, got.imported));
    const { asked, graphOf } = countingGraph();
    const record = await checkedImageSet({ name: 'imageset.yaml', text: FILE }, jobOf(got.selection), graphOf);
    assert.equal(record?.digest, sha256(FILE));
    assert.deepEqual(record?.config, parseImageSetConfig(FILE, 'imageset.yaml'));
    assert.deepEqual(asked, ['candidate-4.15/amd64']);
  });

  it('a page that claims unchanged while it carries more images gets the file its choices write, the file’s channel range kept', async () => {
    const got = await imported(FILE);
    const job = jobOf({ ...got.selection, images: [...got.selection.images, 'registry.example:5000/tools/planted:1'] });
    const { asked, graphOf } = countingGraph();
    const record = await checkedImageSet({ name: 'imageset.yaml', text: FILE }, job, graphOf);
    assert.ok(record);
    assert.notEqual(record.digest, sha256(FILE));
    assert.deepEqual(record.config.additionalImages, ['registry.example:5000/tools/debug:1.0', 'registry.example:5000/tools/planted:1']);
    // The platform the job carries is the file's: still named by its channel range, and the graph is still asked for.
    assert.deepEqual(record.config.platform?.channels.map((c) => [c.name, c.minVersion, c.maxVersion]), [['candidate-4.15', '4.15.3', '4.15.5']]);
    assert.equal(record.config.platform?.graph, true);
    assert.deepEqual(asked, ['candidate-4.15/amd64'], 'the written file is read back with the graph already fetched');
  });

  it('a page that claims unchanged while it carries another release, no graph image or another volume size gets the file that says so', async () => {
    const got = await imported(FILE);
    const cases: Array<[string, ClaimedJob, (c: NonNullable<Awaited<ReturnType<typeof checkedImageSet>>>['config']) => void]> = [
      ['another release', { ...jobOf(got.selection), release: payloadOf('4.15.10'), releases: [] }, (c) => assert.deepEqual([c.platform?.release, c.platform?.channels], [payloadOf('4.15.10'), []])],
      ['no graph image', { ...jobOf(got.selection), graph: false }, (c) => assert.equal(c.platform?.graph, undefined)],
      ['a 4 GiB volume', { ...jobOf(got.selection), volumeSize: '4GiB', volumeBytes: volumeSizeOf('4GiB') }, (c) => assert.equal(c.archiveSizeGiB, 4)],
    ];
    for (const [what, job, check] of cases) {
      const record = await checkedImageSet({ name: 'imageset.yaml', text: FILE }, job, countingGraph().graphOf);
      assert.ok(record, what);
      assert.notEqual(record.digest, sha256(FILE), what);
      check(record.config);
    }
  });

  it('a claimed text the reader refuses is not recorded: the job’s own file is, written afresh', async () => {
    const job: ClaimedJob = { images: ['registry.example:5000/tools/debug:1.0'], volumeBytes: volumeSizeOf(undefined) };
    const record = await checkedImageSet({ name: 'imageset.yaml', text: 'kind: ImageSetConfiguration\napiVersion: mirror.openshift.io/v2alpha1\nmirror:\n  helm: {}\n' }, job, countingGraph().graphOf);
    assert.deepEqual(record?.config.additionalImages, job.images);
    assert.equal(record?.config.platform, undefined);
  });

  it('a transfer no file can say (releases from no channel the file names) gets no record at all', async () => {
    const got = await imported(FILE);
    const job = { ...jobOf(got.selection), release: payloadOf('4.15.11'), releases: [payloadOf('4.15.3')] };
    assert.equal(await checkedImageSet({ name: 'imageset.yaml', text: FILE }, job, countingGraph().graphOf), undefined);
  });

  it('the mirror request takes the checked record, and graph: true fetches the graph data from the host’s --graph-data-url', async () => {
    // platform.release needs no update graph: the wiring is checked without a service to ask.
    const text = 'kind: ImageSetConfiguration\napiVersion: mirror.openshift.io/v2alpha1\nmirror:\n  platform:\n    graph: true\n  additionalImages:\n    - name: registry.example:5000/tools/debug:1.0\n';
    const defaults = { ...NO_ENGINE_DEFAULTS, caFiles: ['/etc/pki/corp.pem'], graphDataUrl: 'https://osus.lan/graph-data.tar.gz' };
    const honest = await exportMirrorRequest({ images: ['registry.example:5000/tools/debug:1.0'], graph: true, imageSet: { name: 'imageset.yaml', text }, toDir: '/media' }, defaults);
    assert.equal(honest.imageSet?.digest, sha256(text));
    assert.deepEqual(honest.graph, { url: 'https://osus.lan/graph-data.tar.gz', caFiles: ['/etc/pki/corp.pem'] });
    const lying = await exportMirrorRequest({ images: ['registry.example:5000/tools/debug:1.0'], imageSet: { name: 'imageset.yaml', text }, toDir: '/media' }, defaults);
    assert.notEqual(lying.imageSet?.digest, sha256(text));
    assert.equal(lying.imageSet?.config.platform, undefined);
    assert.equal(lying.graph, undefined);
  });
});
