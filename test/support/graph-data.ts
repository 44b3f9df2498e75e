import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A small graph-data tree laid out as openshift/cincinnati-graph-data, in the shape of oc-mirror's test asset
 * tests/unit/testdata/graph-assets/graph-data.tar.gz: the version file, channels and a blocked edge (the asset also
 * holds raw/metadata.json and a LICENSE, which the graph image carries like any other file).
 */
export const GRAPH_DATA = {
  version: '1.0.0\n',
  'channels/stable-4.15.yaml': 'name: stable-4.15\nversions:\n- 4.15.3\n- 4.15.4\n',
  'channels/fast-4.15.yaml': 'name: fast-4.15\nversions:\n- 4.15.3\n- 4.15.4\n',
  'blocked-edges/4.15.4-ExampleRisk.yaml': 'to: 4.15.4\nfrom: .*\nurl: https://example.com/risk\nname: ExampleRisk\nmessage: An example risk.\nmatchingRules:\n- type: Always\n',
} as const;

/**
 * GRAPH_DATA as api.openshift.com serves /api/upgrades_info/graph-data, entry for entry as in oc-mirror's asset
 * (graph-data.tar.gz above): a gzip'd tar whose root is `./` and whose other entries have no `./` prefix, owned by
 * 1000850000:0 (the build's random OpenShift uid), directories 0755 and files 0664. Written out under `dir` first,
 * then packed with GNU tar (which ends a directory's name with `/`, where the asset's do not). Serve the bytes from
 * a loopback server and point --graph-data-url at it.
 */
export async function graphDataArchive(dir: string): Promise<Buffer> {
  const root = join(dir, 'cincinnati-graph-data');
  const tops = new Set<string>();
  for (const [name, content] of Object.entries(GRAPH_DATA)) {
    const parent = join(root, name, '..');
    await mkdir(parent, { recursive: true });
    await chmod(parent, 0o755);
    await writeFile(join(root, name), content);
    await chmod(join(root, name), 0o664);
    tops.add(name.split('/')[0]!);
  }
  await chmod(root, 0o755);
  const owner = ['--owner=1000850000', '--group=0', '--numeric-owner'];
  const args = ['-czf', '-', '-C', root, ...owner, '--no-recursion', '.', '--recursion', ...[...tops].sort()];
  return (await run('tar', args, { encoding: 'buffer', maxBuffer: 1 << 20 })).stdout;
}
