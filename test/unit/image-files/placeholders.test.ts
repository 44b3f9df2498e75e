import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { PLACEHOLDERS, PlaceholderFiller, type Replacement } from '../../../electron/engine/image-files/placeholders';
import { clientBinary, pinnedBytes, readPlaceholders, UPSTREAM_MARKERS } from '../../support/installer-binary';

/** Streams `bytes` through a filler in chunks of `size` bytes. */
async function fill(bytes: Buffer, replacements: Replacement[], size: number): Promise<{ out: Buffer; filler: PlaceholderFiller }> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const filler = new PlaceholderFiller(replacements);
  const out = await buffer(Readable.from(chunks).pipe(filler));
  return { out, filler };
}

const PULLSPEC = `mirror.example.com:5000/ocp4/ocp-release@sha256:${'ab'.repeat(32)}`;
const ALL: Replacement[] = [
  { kind: 'releaseImage', value: PULLSPEC },
  { kind: 'releaseVersion', value: '4.15.3' },
  { kind: 'releaseArchitecture', value: 'linux/amd64' },
];

describe('release placeholders (oc adm release extract --command)', () => {
  it('uses the markers upstream defines, byte for byte', () => {
    for (const kind of ['releaseImage', 'releaseVersion', 'releaseArchitecture'] as const) {
      assert.equal(PLACEHOLDERS[kind].marker.toString('latin1'), UPSTREAM_MARKERS[kind], kind);
    }
  });

  it('writes each value and one NUL over the start of its marker, leaves the rest, keeps the length, whatever the chunking', async () => {
    const bin = clientBinary({ command: 'openshift-install', format: 'elf', build: 'v4.15.3' });
    let first: Buffer | undefined;
    for (const size of [1, 7, 326, 327, 4096, 65536, bin.bytes.length]) {
      const { out, filler } = await fill(bin.bytes, ALL, size);
      assert.equal(out.length, bin.bytes.length, `chunk ${size}: length`);
      assert.deepEqual(filler.missing(), [], `chunk ${size}`);
      assert.deepEqual(readPlaceholders(bin, out), { releaseImage: PULLSPEC, releaseVersion: '4.15.3', releaseArchitecture: 'linux/amd64' });
      first ??= out;
      assert.ok(out.equals(first), `chunk ${size}: same bytes as every other chunking`);
    }
    // Exactly oc's rule: value, NUL, then the marker's own remaining bytes; nothing else changed.
    const at = bin.offsets.releaseImage!;
    const marker = Buffer.from(UPSTREAM_MARKERS.releaseImage, 'latin1');
    assert.ok(first!.equals(pinnedBytes(bin, { releaseImage: PULLSPEC, releaseVersion: '4.15.3', releaseArchitecture: 'linux/amd64' })));
    assert.equal(first!.subarray(at + PULLSPEC.length + 1, at + marker.length).toString('latin1'), marker.subarray(PULLSPEC.length + 1).toString('latin1'));
  });

  it('replaces only the first occurrence, and lists the markers it never met', async () => {
    const marker = PLACEHOLDERS.releaseVersion.marker;
    const bytes = Buffer.concat([Buffer.from('head'), marker, Buffer.from('mid'), marker]);
    const { out, filler } = await fill(bytes, ALL, 5);
    assert.ok(out.subarray(4 + marker.length + 3).equals(marker), 'the second copy is untouched');
    assert.equal(out.subarray(4, 11).toString('latin1'), '4.15.3\0');
    assert.deepEqual(filler.missing().sort(), ['releaseArchitecture', 'releaseImage']);
  });

  it('refuses a value that does not fit the marker (its length minus one)', () => {
    const max = PLACEHOLDERS.releaseVersion.marker.length - 1;
    assert.doesNotThrow(() => new PlaceholderFiller([{ kind: 'releaseVersion', value: 'v'.repeat(max) }]));
    assert.throws(() => new PlaceholderFiller([{ kind: 'releaseVersion', value: 'v'.repeat(max + 1) }]), { code: 'INVALID_INPUT' });
  });

  it('a binary without markers streams through unchanged, every marker missing', async () => {
    const bin = clientBinary({ command: 'openshift-install', format: 'elf', build: 'v1', withoutMarkers: true });
    const { out, filler } = await fill(bin.bytes, ALL, 1000);
    assert.ok(out.equals(bin.bytes));
    assert.deepEqual(filler.missing().sort(), ['releaseArchitecture', 'releaseImage', 'releaseVersion']);
  });
});
