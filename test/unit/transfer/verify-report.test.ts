import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shortenDigests } from '../../../shared/format';
import { describeCounts } from '../../../shared/transfer/verify-report';

describe('describeCounts', () => {
  it('says what each count of a media report means, in words', () => {
    const text = describeCounts({ volumes: 2, images: 3, blobs: 14, blobsVerified: 14, parentBlobs: 0, entries: 20 });
    assert.equal(text, '2 volume(s), 3 image(s), 14 blob(s), 14 blob digest(s) checked, 20 tar entries read');
    assert.doesNotMatch(text, /[a-z][A-Z]/, 'no camelCase key reaches the sentence');
  });

  it('names parent blobs when there are some, keeps keys that are words, and splits unknown keys', () => {
    assert.equal(describeCounts({ parentBlobs: 5 }), '5 blob(s) in the parent transfer');
    assert.equal(describeCounts({ 'image(s) in the mirror': 4, newThingsSeen: 1 }), '4 image(s) in the mirror, 1 new things seen');
  });
});

describe('shortenDigests', () => {
  it('cuts prefixed and bare sha256 digests in a sentence to 12 hex digits, and nothing else', () => {
    const d = 'ab'.repeat(32);
    assert.equal(shortenDigests(`blob sha256:${d} has the wrong sha256 (${d}); volume ferry-000001.tar`), 'blob sha256:abababababab… has the wrong sha256 (abababababab…); volume ferry-000001.tar');
    assert.equal(shortenDigests(`id ${'a'.repeat(63)}`), `id ${'a'.repeat(63)}`);
  });
});
