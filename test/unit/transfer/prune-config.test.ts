import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelsOffline, type Held } from '../../../electron/engine/transfer/prune-config';
import { FerryError } from '../../../shared/errors';
import type { ImageSetConfig } from '../../../shared/imageset/config';

/**
 * The platform channels of an ImageSetConfiguration decided on the disconnected side, from the release images a
 * mirror holds (`NS/ocp-release:VERSION-ARCH`) instead of the update graph: oc-mirror v2's defaults
 * (internal/pkg/release/cincinnati.go resolveChannelVersions), widened wherever only the graph could decide.
 */
const at = { registry: 'mirror.example.com:5000', repository: 'ocp4/ocp-release' };
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const held: Held = new Map([
  ['x86_64', new Map([['4.14.20', digest(1)], ['4.15.2', digest(2)], ['4.15.3', digest(3)], ['4.15.4', digest(4)], ['4.16.1', digest(5)]])],
  ['aarch64', new Map([['4.15.3', digest(6)]])],
]);

type Channel = Partial<NonNullable<ImageSetConfig['platform']>['channels'][number]>;
const platform = (channels: Channel[], architectures: string[] = []): NonNullable<ImageSetConfig['platform']> => ({
  channels: channels.map((c) => ({ name: 'stable-4.15', shortestPath: false, full: false, ...c })),
  architectures,
});
const versions = async (p: NonNullable<ImageSetConfig['platform']>) => (await channelsOffline(p, at, held)).releases.map((r) => `${r.version}-${r.arch}`).sort();

describe('prune --config: platform channels without the update graph', () => {
  it('heads only keeps every release of the channel minor the mirror holds, and says why', async () => {
    const out = await channelsOffline(platform([{}]), at, held);
    assert.deepEqual(out.releases.map((r) => r.version).sort(), ['4.15.2', '4.15.3', '4.15.4']);
    assert.deepEqual(out.releases.find((r) => r.version === '4.15.3')!.payload, `mirror.example.com:5000/ocp4/ocp-release@${digest(3)}`);
    assert.deepEqual(out.missing, []);
    assert.match(out.notes.join('\n'), /only the update graph knows/);
  });

  it('an open end runs to the newest release of the channel (its minor and earlier ones) or from the oldest', async () => {
    assert.deepEqual(await versions(platform([{ minVersion: '4.15.3' }])), ['4.15.3-x86_64', '4.15.4-x86_64'], 'not 4.16.1: stable-4.15 holds no 4.16');
    assert.deepEqual(await versions(platform([{ maxVersion: '4.15.3' }])), ['4.14.20-x86_64', '4.15.2-x86_64', '4.15.3-x86_64'], 'a 4.15 channel holds the 4.14 releases that update into it');
  });

  it('shortestPath keeps the whole range, and bounds the mirror lacks are reported, not fatal', async () => {
    const out = await channelsOffline(platform([{ minVersion: '4.15.1', maxVersion: '4.15.9', shortestPath: true }]), at, held);
    assert.deepEqual(out.releases.map((r) => r.version).sort(), ['4.15.2', '4.15.3', '4.15.4']);
    assert.deepEqual(out.missing.map((m) => m.what).sort(), ['release 4.15.1-x86_64 (stable-4.15)', 'release 4.15.9-x86_64 (stable-4.15)']);
    assert.match(out.missing[0]!.why, /ocp4\/ocp-release:4\.15\.\d-x86_64 is not in the mirror/);
    assert.match(out.notes.join('\n'), /shortestPath is kept as the whole range: the update graph is not reachable here/);
  });

  it('each architecture from its own tags; a channel head the mirror lacks is reported', async () => {
    assert.deepEqual(await versions(platform([{ minVersion: '4.15.3', maxVersion: '4.15.3' }], ['amd64', 'arm64'])), ['4.15.3-aarch64', '4.15.3-x86_64']);
    const out = await channelsOffline(platform([{ name: 'stable-4.17' }]), at, held);
    assert.deepEqual(out.releases, []);
    assert.deepEqual(out.missing.map((m) => m.what), ['the head of stable-4.17 (x86_64)']);
  });

  it('refuses a bound that is not a version', async () => {
    await assert.rejects(channelsOffline(platform([{ minVersion: '4.15' }]), at, held), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && /channels\[0\]\.minVersion/.test(e.message));
  });
});
