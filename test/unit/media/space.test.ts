import assert from 'node:assert/strict';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { checkSpace, fileLimitOf, requireVolumesFit, type SpaceCheck } from '../../../electron/engine/media/space';
import { DEFAULT_VOLUME_SIZE } from '../../../electron/engine/media/layout';
import { ferry } from '../../support/cli';

const FAT = 0x4d44;
const EXT4 = 0xef53;
const GiB = 1024 ** 3;

describe('file-size limit of the target disk', () => {
  it('knows FAT on Linux holds files below 4 GiB, and no limit elsewhere', () => {
    assert.deepEqual(fileLimitOf(FAT, 'linux'), { fileSystem: 'FAT (vfat)', maxBytes: 4 * GiB - 1 });
    assert.equal(fileLimitOf(EXT4, 'linux'), undefined);
    // Other systems number their file systems their own way: 0x4d44 means nothing there.
    assert.equal(fileLimitOf(FAT, 'darwin'), undefined);
    assert.equal(fileLimitOf(FAT, 'win32'), undefined);
  });

  it('reads the real file system of a directory (this machine’s temp dir is not FAT)', async () => {
    const type = (await statfs(tmpdir())).type;
    const check = await checkSpace(tmpdir(), 1);
    assert.equal(check.fileLimit, fileLimitOf(type));
    assert.notEqual(type, FAT);
  });

  const fat: SpaceCheck = { dir: '/media/usb', needed: 0, free: 64 * GiB, enough: true, fileLimit: { fileSystem: 'FAT (vfat)', maxBytes: 4 * GiB - 1 } };

  it('refuses a planned volume of 4 GiB or more on FAT, naming disk, volume and what to do', () => {
    const volumes = [
      { name: 'ferry-000001.tar', size: 8 * GiB },
      { name: 'ferry-000002.tar', size: 1 * GiB },
    ];
    assert.throws(
      () => requireVolumesFit(fat, volumes),
      (e: Error & { code?: string; hint?: string; details?: Record<string, unknown> }) => {
        assert.equal(e.code, 'INVALID_INPUT');
        assert.match(e.message, /\/media\/usb is formatted FAT \(vfat\), which cannot hold a file of 4\.00 GiB or more, but volume ferry-000001\.tar would be 8\.00 GiB/);
        assert.match(e.hint ?? '', /at most 4000M .*Nothing was written/);
        assert.deepEqual(e.details, { dir: '/media/usb', fileSystem: 'FAT (vfat)', maxBytes: 4 * GiB - 1, volume: 'ferry-000001.tar', size: 8 * GiB });
        return true;
      },
    );
    assert.throws(() => requireVolumesFit(fat, [{ name: 'ferry-000001.tar', size: 4 * GiB }]), { code: 'INVALID_INPUT' });
  });

  it('lets through volumes that fit: the default size, a small transfer with a large volume size, or a disk without a limit', () => {
    requireVolumesFit(fat, [{ name: 'ferry-000001.tar', size: DEFAULT_VOLUME_SIZE }]);
    requireVolumesFit(fat, [{ name: 'ferry-000001.tar', size: 4 * GiB - 1 }]);
    // --volume-size 8G, but the whole transfer is 2 GiB: one volume of 2 GiB is what gets written.
    requireVolumesFit(fat, [{ name: 'ferry-000001.tar', size: 2 * GiB }]);
    const { fileLimit: _, ...ext4 } = fat;
    requireVolumesFit(ext4, [{ name: 'ferry-000001.tar', size: 100 * GiB }]);
  });
});

describe('--volume-size', () => {
  it('refuses a size too small for a volume before it resolves anything', async () => {
    // The release's source is a closed port: reaching it would fail with another message.
    const r = await ferry(['mirror', '--release', 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', '--source-mirror', 'quay.io/openshift-release-dev=127.0.0.1:9/ocp', '--to-dir', '/nonexistent/x', '--volume-size', '10']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /The volume size 10 is too small: a volume must hold at least 65536 bytes/);
    assert.doesNotMatch(r.stderr, /127\.0\.0\.1:9/);
  });
});
