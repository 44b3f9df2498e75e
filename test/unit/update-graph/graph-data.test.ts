import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import tar from 'tar-stream';
import { buildLayer } from '../../../electron/engine/image-files/build-layer';
import { fetchGraphData, graphDataEntries } from '../../../electron/engine/update-graph/graph-data';
import { createServer } from 'node:net';
import { FerryError } from '../../../shared/errors';

/**
 * The graph-data archive as api.openshift.com serves it (laid out as openshift/cincinnati-graph-data: `./`,
 * `version`, `channels/*.yaml`, `blocked-edges/*.yaml`; oc-mirror's test asset
 * tests/unit/testdata/graph-assets/graph-data.tar.gz has this shape) becomes layer entries under
 * /var/lib/cincinnati-graph-data; an archive with anything an extracting tool could be led astray by is refused whole.
 */
type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device'; content?: string; mode?: number; linkname?: string };

async function archive(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    if (type === 'file') pack.entry({ name: e.name, mode: e.mode ?? 0o664, uid: 1000850000, gid: 0 }, e.content ?? '');
    else pack.entry({ name: e.name, type, mode: e.mode ?? 0o755, ...(e.linkname ? { linkname: e.linkname } : {}) });
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

const GOOD: Entry[] = [
  { name: './', type: 'directory' },
  { name: './version', content: '1.2.3\n' },
  { name: './channels', type: 'directory' },
  { name: './channels/stable-4.15.yaml', content: 'name: stable-4.15\nversions:\n- 4.15.3\n- 4.15.4\n' },
  { name: './blocked-edges', type: 'directory' },
  { name: './blocked-edges/4.15.4-Example.yaml', content: 'to: 4.15.4\nfrom: 4\\.15\\.3\n' },
];

function refused(code: string, re: RegExp) {
  return (e: unknown) => e instanceof FerryError && e.code === code && re.test(e.message);
}

describe('graph data from the update service', () => {
  it('files and directories land under var/lib/cincinnati-graph-data with their modes, owner-free; the layer is the same every time', async () => {
    const { entries, files } = await graphDataEntries(await archive(GOOD), 'api.example.com');
    assert.equal(files, 3);
    assert.deepEqual(
      entries.map((e) => [e.path, e.type, e.mode, e.content?.toString()]),
      [
        ['var/lib/cincinnati-graph-data/', 'directory', undefined, undefined],
        ['var/lib/cincinnati-graph-data/version', 'file', 0o664, '1.2.3\n'],
        ['var/lib/cincinnati-graph-data/channels/', 'directory', 0o755, undefined],
        ['var/lib/cincinnati-graph-data/channels/stable-4.15.yaml', 'file', 0o664, GOOD[3]!.content],
        ['var/lib/cincinnati-graph-data/blocked-edges/', 'directory', 0o755, undefined],
        ['var/lib/cincinnati-graph-data/blocked-edges/4.15.4-Example.yaml', 'file', 0o664, GOOD[5]!.content],
      ],
    );
    const again = await graphDataEntries(await archive(GOOD), 'api.example.com');
    assert.equal((await buildLayer(entries)).digest, (await buildLayer(again.entries)).digest);
  });

  it('refuses an archive that climbs out, names an absolute path, or holds a link or a device, naming the entry', async () => {
    const unsafe: Array<[Entry, RegExp]> = [
      [{ name: '../../etc/cron.d/evil', content: 'x' }, /"\.\.\/\.\.\/etc\/cron\.d\/evil", a path that climbs out/],
      [{ name: './channels/../../escape.yaml', content: 'x' }, /climbs out/],
      [{ name: '/etc/passwd', content: 'x' }, /an absolute path/],
      [{ name: './channels/link.yaml', type: 'symlink', linkname: '/etc/shadow' }, /a symbolic link \(to \/etc\/shadow\)/],
      [{ name: './channels/hard.yaml', type: 'link', linkname: 'version' }, /a hard link/],
      [{ name: './channels/tty', type: 'character-device' }, /a character-device entry/],
    ];
    for (const [entry, re] of unsafe) {
      await assert.rejects(graphDataEntries(await archive([...GOOD, entry]), 'api.example.com'), refused('UNSAFE_ARCHIVE', re), entry.name);
    }
  });

  it('says when the answer is not graph data: not gzip, no channels, a name twice', async () => {
    await assert.rejects(graphDataEntries(Buffer.from('<html>maintenance</html>'), 'api.example.com'), refused('BAD_RESPONSE', /api\.example\.com is not a Cincinnati graph-data archive: it is not gzip data/));
    await assert.rejects(graphDataEntries(await archive([{ name: './version', content: '1' }]), 'api.example.com'), refused('BAD_RESPONSE', /no channels\/\*\.yaml/));
    await assert.rejects(graphDataEntries(await archive([...GOOD, { name: 'version', content: '2' }]), 'api.example.com'), refused('BAD_RESPONSE', /"version" is in it twice/));
  });
});

describe('graph data size', () => {
  it('a gzip bomb is refused before it is held: the unpacked size is capped', async () => {
    const bomb = gzipSync(Buffer.alloc(65 * 1024 * 1024));
    await assert.rejects(graphDataEntries(bomb, 'api.example.com'), refused('BAD_RESPONSE', /unpacks to more than 67108864 bytes/));
  });
});

describe('graph data fetch', () => {
  it('an unreachable service says to fetch on the connected side or point --graph-data-url elsewhere; a bad URL is a usage error', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await assert.rejects(
      fetchGraphData({ url: `http://127.0.0.1:${port}/api/upgrades_info/graph-data`, caFiles: [] }),
      (e: unknown) => e instanceof FerryError && e.code === 'UNREACHABLE' && /--graph-data-url/.test(e.hint ?? ''),
    );
    await assert.rejects(fetchGraphData({ url: 'ftp://example.com/graph-data', caFiles: [] }), refused('USAGE', /--graph-data-url "ftp:\/\/example\.com\/graph-data" is not an http\(s\) URL/));
  });
});
