import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { VerifyingStream } from '../../../electron/engine/registry/verify';

const data = Buffer.from('hello, verified world');
const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function run(chunks: Buffer[], size = data.length, d = digest): Promise<{ got: Buffer; error?: unknown }> {
  const got: Buffer[] = [];
  let ended = false;
  const sink = new Writable({
    write(chunk, _e, cb) {
      got.push(chunk);
      cb();
    },
    final(cb) {
      ended = true;
      cb();
    },
  });
  try {
    await pipeline(Readable.from(chunks), new VerifyingStream({ digest: d, size, image: 'img:1', source: 'test' }), sink);
    assert.ok(ended);
    return { got: Buffer.concat(got) };
  } catch (error) {
    assert.equal(ended, false, 'the sink must not see a clean end for bad data');
    return { got: Buffer.concat(got), error };
  }
}

function assertMismatch(error: unknown, pattern: RegExp): void {
  assert.ok(error instanceof FerryError);
  assert.equal(error.code, 'DIGEST_MISMATCH');
  assert.match(error.message, new RegExp(digest.slice(0, 20)));
  assert.match(error.message, /img:1/);
  assert.match(error.message, pattern);
}

describe('VerifyingStream', () => {
  it('passes exact data through in chunks', async () => {
    const r = await run([data.subarray(0, 5), data.subarray(5)]);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.got, data);
  });

  it('fails on short data', async () => {
    assertMismatch((await run([data.subarray(0, 10)])).error, /only 10 of 21 bytes/);
  });

  it('fails on trailing data without passing the extra bytes on', async () => {
    const r = await run([data, Buffer.from('!')]);
    assertMismatch(r.error, /more than the expected 21 bytes/);
    assert.ok(r.got.length <= data.length);
  });

  it('fails on same-size wrong content', async () => {
    const bad = Buffer.from(data);
    bad[3] = bad[3]! ^ 1;
    assertMismatch((await run([bad])).error, /hashes to sha256:/);
  });

  it('verifies sha512 digests too', async () => {
    const d512 = `sha512:${createHash('sha512').update(data).digest('hex')}`;
    assert.equal((await run([data], data.length, d512)).error, undefined);
  });
});

describe('VerifyingStream on a blob of some MiB in many chunks', () => {
  const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'ferry');
  const bigDigest = `sha256:${createHash('sha256').update(big).digest('hex')}`;
  const chunks = (b: Buffer) => Array.from({ length: Math.ceil(b.length / 65536) }, (_, i) => b.subarray(i * 65536, (i + 1) * 65536));

  it('passes it through whole', async () => {
    const r = await run(chunks(big), big.length, bigDigest);
    assert.equal(r.error, undefined);
    assert.equal(r.got.length, big.length);
  });

  it('fails on one flipped byte near its end', async () => {
    const bad = Buffer.from(big);
    bad[big.length - 2] = bad[big.length - 2]! ^ 1;
    const { error } = await run(chunks(bad), big.length, bigDigest);
    assert.ok(error instanceof FerryError && error.code === 'DIGEST_MISMATCH' && /hashes to sha256:/.test(error.message), String(error));
  });
});
