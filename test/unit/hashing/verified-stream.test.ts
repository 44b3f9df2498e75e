import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { BlobVerifier, VerifyingStream, readThrough, verifiedChunks } from '../../../electron/engine/hashing/verified-stream';

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

function assertMismatch(error: unknown, code: 'SIZE_MISMATCH' | 'DIGEST_MISMATCH', pattern: RegExp): void {
  assert.ok(error instanceof FerryError);
  assert.equal(error.code, code);
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
    assertMismatch((await run([data.subarray(0, 10)])).error, 'SIZE_MISMATCH', /only 10 of 21 bytes/);
  });

  it('fails on trailing data without passing the extra bytes on', async () => {
    const r = await run([data, Buffer.from('!')]);
    assertMismatch(r.error, 'SIZE_MISMATCH', /more than the expected 21 bytes/);
    assert.ok(r.got.length <= data.length);
  });

  it('fails on same-size wrong content', async () => {
    const bad = Buffer.from(data);
    bad[3] = bad[3]! ^ 1;
    assertMismatch((await run([bad])).error, 'DIGEST_MISMATCH', /hashes to sha256:/);
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

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<{ got: Buffer; error?: unknown }> {
  const got: Uint8Array[] = [];
  try {
    for await (const c of chunks) got.push(c);
    return { got: Buffer.concat(got) };
  } catch (error) {
    return { got: Buffer.concat(got), error };
  }
}

// The same verifier as an async iterable (the media writer and reader) and on the hashing thread (ferry verify).
for (const offThread of [false, true]) {
  describe(`verifiedChunks${offThread ? ' on the hashing thread' : ''}`, () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 3, 'thread');
    const bigDigest = `sha256:${createHash('sha256').update(big).digest('hex')}`;
    const pieces = (b: Buffer) => Array.from({ length: Math.ceil(b.length / 100_000) }, (_, i) => b.subarray(i * 100_000, (i + 1) * 100_000));
    const blob = { digest: bigDigest, size: big.length };

    it('yields exactly the bytes of an exact blob', async () => {
      const r = await drain(verifiedChunks(blob, pieces(big), { offThread }));
      assert.equal(r.error, undefined);
      assert.ok(r.got.equals(big));
    });

    it('short: SIZE_MISMATCH after the last byte, naming how many arrived', async () => {
      const r = await drain(verifiedChunks(blob, pieces(big.subarray(0, big.length - 1)), { offThread }));
      assert.ok(r.error instanceof FerryError && r.error.code === 'SIZE_MISMATCH', String(r.error));
      assert.match(r.error.message, new RegExp(`only ${big.length - 1} of ${big.length} bytes`));
      assert.equal(r.error.details?.received, big.length - 1);
    });

    it('long: SIZE_MISMATCH at the first byte too many, which is never yielded', async () => {
      const r = await drain(verifiedChunks(blob, [...pieces(big), Buffer.from('x')], { offThread }));
      assert.ok(r.error instanceof FerryError && r.error.code === 'SIZE_MISMATCH', String(r.error));
      assert.match(r.error.message, /more than the expected/);
      assert.equal(r.got.length, big.length);
    });

    it('wrong digest: DIGEST_MISMATCH with the digest the bytes have', async () => {
      const bad = Buffer.from(big);
      bad[1000] = bad[1000]! ^ 0xff;
      const r = await drain(verifiedChunks(blob, pieces(bad), { offThread }));
      assert.ok(r.error instanceof FerryError && r.error.code === 'DIGEST_MISMATCH', String(r.error));
      assert.equal(r.error.details?.actual, `sha256:${createHash('sha256').update(bad).digest('hex')}`);
    });
  });
}

describe('verifier messages', () => {
  it('name image, source, volume and the images a caller looks up only on failure', async () => {
    let lookedUp = 0;
    const images = async () => {
      lookedUp++;
      return ['quay.io/a/b:1', 'quay.io/c/d:2'];
    };
    const ok = await drain(verifiedChunks({ digest, size: data.length, images }, [data]));
    assert.equal(ok.error, undefined);
    assert.equal(lookedUp, 0, 'an intact blob costs no lookup');
    const r = await drain(verifiedChunks({ digest, size: data.length, image: 'quay.io/x/y:3', source: 'registry r:5000', volume: 'ferry-000002.tar', images, hint: 'Copy it again.' }, [data.subarray(1)]));
    assert.ok(r.error instanceof FerryError);
    assert.match(r.error.message, new RegExp(`^Blob ${digest} of quay.io/x/y:3 \\(used by quay.io/a/b:1, quay.io/c/d:2\\) from registry r:5000 in volume ferry-000002.tar failed verification: only 20 of 21 bytes arrived\\.$`));
    assert.equal(r.error.hint, 'Copy it again.');
    assert.deepEqual(r.error.details?.images, ['quay.io/a/b:1', 'quay.io/c/d:2']);
    assert.equal(r.error.details?.volume, 'ferry-000002.tar');
  });

  it('name the blob a failing part belongs to', async () => {
    const whole = `sha256:${'c'.repeat(64)}`;
    const r = await drain(verifiedChunks({ digest, size: data.length, part: { blob: whole, number: 2 } }, [Buffer.alloc(data.length)]));
    assert.ok(r.error instanceof FerryError && r.error.code === 'DIGEST_MISMATCH');
    assert.match(r.error.message, new RegExp(`^Part 2 of blob ${whole} failed verification`));
    assert.equal(r.error.details?.digest, whole);
  });

  it('refuse an algorithm it cannot check', () => {
    assert.throws(() => new BlobVerifier({ digest: 'md5:abc', size: 1 }), (e: unknown) => e instanceof FerryError && e.code === 'UNSUPPORTED');
  });
});

describe('one verifier per stream', () => {
  it('a stream that already verifies the descriptor passes through unwrapped; any other is wrapped', () => {
    const stream = new VerifyingStream({ digest, size: data.length });
    assert.equal(verifiedChunks({ digest, size: data.length }, stream), stream);
    assert.notEqual(verifiedChunks({ digest, size: data.length + 1 }, stream), stream);
  });

  it('chunks read on from such a stream after some were read ahead pass unwrapped; its end still fails on bad bytes', async () => {
    const bad = Buffer.from(data);
    bad[3]! ^= 1;
    const stream = Readable.from([bad.subarray(0, 5), bad.subarray(5)]).pipe(new VerifyingStream({ digest, size: data.length }));
    const it = stream[Symbol.asyncIterator]();
    const ahead = (await it.next()).value as Buffer;
    async function* rest() {
      yield ahead;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer;
    }
    const chunks = readThrough(stream, rest());
    assert.equal(verifiedChunks({ digest, size: data.length }, chunks), chunks);
    assert.notEqual(verifiedChunks({ digest, size: data.length - 1 }, chunks), chunks);
    await assert.rejects(drainAll(chunks), (e: unknown) => e instanceof FerryError && e.code === 'DIGEST_MISMATCH');
  });
});

async function drainAll(chunks: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of chunks);
}
