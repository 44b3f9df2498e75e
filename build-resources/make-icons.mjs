#!/usr/bin/env node
// Draws Ferry's icon (a ferry on two waves in a rounded teal square) and writes every size the
// packagers need: icons/NxN.png (linux), icon.png (1024), icon.ico (windows), icon.icns (macOS).
// Pure Node, no image tools: shapes are rasterised with 4x4 supersampling and encoded as PNG.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = dirname(fileURLToPath(import.meta.url));
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

// --- shapes in a unit square (0..1), y down ------------------------------------------------
const roundedSquare = (x, y) => {
  const r = 0.2, m = 0.04;
  const dx = Math.max(m + r - x, 0, x - (1 - m - r));
  const dy = Math.max(m + r - y, 0, y - (1 - m - r));
  return dx * dx + dy * dy <= r * r && x >= m && x <= 1 - m && y >= m && y <= 1 - m;
};
const hull = (x, y) => y >= 0.5 && y <= 0.6 && x >= 0.2 + (y - 0.5) * 0.8 && x <= 0.8 - (y - 0.5) * 0.8;
const cabin = (x, y) => (y >= 0.4 && y < 0.5 && x >= 0.32 && x <= 0.66) || (y >= 0.33 && y < 0.4 && x >= 0.4 && x <= 0.6);
const windowHole = (x, y) => y >= 0.425 && y <= 0.47 && [0.36, 0.45, 0.54].some((w) => x >= w && x <= w + 0.06);
const stack = (x, y) => y >= 0.25 && y < 0.33 && x >= 0.5 && x <= 0.56;
const wave = (x, y, base, amp) => Math.abs(y - (base + amp * Math.sin(x * Math.PI * 4))) <= 0.022;

function colour(x, y) {
  if (!roundedSquare(x, y)) return null;
  if ((hull(x, y) || cabin(x, y) || stack(x, y)) && !windowHole(x, y)) return [255, 255, 255];
  if (wave(x, y, 0.68, 0.02) || wave(x, y, 0.77, 0.02)) return [165, 228, 240];
  const t = y; // vertical gradient, deep teal to lighter teal
  return [Math.round(8 + 10 * t), Math.round(78 + 40 * t), Math.round(104 + 40 * t)];
}

function render(size) {
  const px = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const c = colour((i + (sx + 0.5) / S) / size, (j + (sy + 0.5) / S) / size);
          if (c) { r += c[0]; g += c[1]; b += c[2]; a += 1; }
        }
      }
      const o = (j * size + i) * 4;
      if (a > 0) { px[o] = r / a; px[o + 1] = g / a; px[o + 2] = b / a; }
      px[o + 3] = Math.round((255 * a) / (S * S));
    }
  }
  return png(size, px);
}

// --- encoders ------------------------------------------------------------------------------
const CRC = new Int32Array(256).map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c; });
const crc32 = (buf) => { let c = -1; for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ -1) >>> 0; };
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(1, 2); header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, data }, k) => {
    const e = 6 + 16 * k;
    header[e] = size >= 256 ? 0 : size; header[e + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, e + 4); header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(data.length, e + 8); header.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.data)]);
}
function icns(entries) {
  const parts = entries.map(({ type, data }) => { const h = Buffer.alloc(8); h.write(type, 0, 'ascii'); h.writeUInt32BE(data.length + 8, 4); return Buffer.concat([h, data]); });
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(8); h.write('icns', 0, 'ascii'); h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

const pngs = new Map(SIZES.map((s) => [s, render(s)]));
mkdirSync(join(out, 'icons'), { recursive: true });
for (const [s, data] of pngs) writeFileSync(join(out, 'icons', `${s}x${s}.png`), data);
writeFileSync(join(out, 'icon.png'), pngs.get(1024));
writeFileSync(join(out, 'icon.ico'), ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, data: pngs.get(size) }))));
const ICNS_TYPES = { icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024 };
writeFileSync(join(out, 'icon.icns'), icns(Object.entries(ICNS_TYPES).map(([type, size]) => ({ type, data: pngs.get(size) }))));
console.log(`icons written to ${out}`);
