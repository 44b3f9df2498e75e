import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FuseV1Options } from '@electron/fuses';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);
const config = require(join(root, 'electron-builder.config.cjs'));
const afterPack = require(join(root, 'build-resources/after-pack.cjs'));

function pngSize(file: string): [number, number] {
  const b = readFileSync(file);
  assert.equal(b.subarray(1, 4).toString('ascii'), 'PNG', `${file} is a PNG`);
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('electron-builder configuration', () => {
  it('names the app and packs only the build output into an asar', () => {
    assert.equal(config.appId, 'io.ferry.app');
    assert.equal(config.productName, 'Ferry');
    assert.equal(config.asar, true);
    assert.deepEqual(config.files, ['out/**', 'package.json']);
  });

  it('targets AppImage, deb, rpm, NSIS and dmg', () => {
    assert.deepEqual(config.linux.target, ['AppImage', 'deb', 'rpm']);
    assert.deepEqual(config.win.target, ['nsis']);
    assert.deepEqual(config.mac.target, ['dmg']);
  });

  it('flips the fuses in afterPack as DESIGN §5 states', () => {
    assert.equal(typeof afterPack, 'function');
    assert.ok(existsSync(join(root, config.afterPack)));
    assert.equal(require(join(root, config.afterPack)), afterPack);
    const f = afterPack.FUSES;
    assert.equal(f[FuseV1Options.RunAsNode], false);
    assert.equal(f[FuseV1Options.EnableCookieEncryption], true);
    assert.equal(f[FuseV1Options.EnableNodeOptionsEnvironmentVariable], false);
    assert.equal(f[FuseV1Options.EnableNodeCliInspectArguments], false);
    assert.equal(f[FuseV1Options.EnableEmbeddedAsarIntegrityValidation], true);
    assert.equal(f[FuseV1Options.OnlyLoadAppFromAsar], true);
  });

  it('has PNG icons at every size from 16 to 1024', () => {
    for (const s of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      assert.deepEqual(pngSize(join(root, config.linux.icon, `${s}x${s}.png`)), [s, s]);
    }
    assert.deepEqual(pngSize(join(root, config.icon)), [1024, 1024]);
  });

  it('has a Windows .ico with 16…256 px images', () => {
    const b = readFileSync(join(root, config.win.icon));
    assert.equal(b.readUInt16LE(2), 1, 'icon type');
    const count = b.readUInt16LE(4);
    const sizes = Array.from({ length: count }, (_, k) => b[6 + 16 * k] || 256);
    for (const s of [16, 32, 48, 256]) assert.ok(sizes.includes(s), `ico holds ${s}px`);
    for (let k = 0; k < count; k++) {
      const offset = b.readUInt32LE(6 + 16 * k + 12);
      assert.equal(b.subarray(offset + 1, offset + 4).toString('ascii'), 'PNG');
    }
  });

  it('has a macOS .icns with 16…1024 px images', () => {
    const b = readFileSync(join(root, config.mac.icon));
    assert.equal(b.subarray(0, 4).toString('ascii'), 'icns');
    assert.equal(b.readUInt32BE(4), b.length);
    const types: string[] = [];
    for (let o = 8; o < b.length; o += b.readUInt32BE(o + 4)) types.push(b.subarray(o, o + 4).toString('ascii'));
    for (const t of ['icp4', 'icp5', 'ic07', 'ic08', 'ic09', 'ic10']) assert.ok(types.includes(t), `icns holds ${t}`);
  });
});
