import { createCipheriv, createHash } from 'node:crypto';
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
