import { createCipheriv, createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';

const CHUNK = 1024 * 1024;

/**
 * `size` incompressible bytes, the same for the same seed: an AES-128-CTR keystream. Streamed in
 * 1 MiB chunks so a 1 GiB layer costs no more memory than a 1 KiB one; deterministic so that layers
 * meant to be shared between images (or between runs) come out identical.
 */
export function keystream(seed: string, size: number): Readable {
  const key = createHash('sha256').update(`key:${seed}`).digest().subarray(0, 16);
  const iv = createHash('sha256').update(`iv:${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  const zeros = Buffer.alloc(CHUNK);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}

/** Readable text of about `size` bytes derived from `seed`; compresses like real files do. */
export function fillerText(seed: string, size: number): string {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const line = `${seed} line ${i} ${createHash('sha256').update(`${seed}:${i}`).digest('hex')}\n`;
    lines.push(line);
    length += line.length;
  }
  return lines.join('').slice(0, size);
}

/** Damages a file the way bad media does: one byte inverted at `at` (default: the middle), size unchanged. */
export async function flipByte(path: string, at?: number): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const { size } = await file.stat();
    const offset = at ?? Math.floor(size / 2);
    if (offset >= size) throw new Error(`${path} has ${size} bytes: no byte at ${offset} to flip`);
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0xff;
    await file.write(byte, 0, 1, offset);
  } finally {
    await file.close();
  }
}
