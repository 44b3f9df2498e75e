import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A small graph-data tree laid out as openshift/cincinnati-graph-data: channels, a blocked edge, the version file. */
export const GRAPH_DATA = {
  version: '1.0.0\n',
  'channels/stable-4.15.yaml': 'name: stable-4.15\nversions:\n- 4.15.3\n- 4.15.4\n',
  'channels/fast-4.15.yaml': 'name: fast-4.15\nversions:\n- 4.15.3\n- 4.15.4\n',
  'blocked-edges/4.15.4-ExampleRisk.yaml': 'to: 4.15.4\nfrom: .*\nurl: https://example.com/risk\nname: ExampleRisk\nmessage: An example risk.\nmatchingRules:\n- type: Always\n',
} as const;

/**
 * GRAPH_DATA as api.openshift.com serves /api/upgrades_info/graph-data: a gzip'd tar made with GNU tar (entries
 * `./…`), written out under `dir` first. Serve the bytes from a loopback server and point --graph-data-url at it.
 */
export async function graphDataArchive(dir: string): Promise<Buffer> {
  const root = join(dir, 'cincinnati-graph-data');
  for (const [name, content] of Object.entries(GRAPH_DATA)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), content);
  }
  return (await run('tar', ['-czf', '-', '-C', root, '.'], { encoding: 'buffer', maxBuffer: 1 << 20 })).stdout;
}
