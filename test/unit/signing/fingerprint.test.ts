import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { formatFingerprint, parseFingerprint } from '../../../shared/fingerprint';

describe('formatFingerprint', () => {
  const hex = createHash('sha256').update('ferry').digest('hex');

  it('shows the first 128 bits as eight upper-case groups of four hex digits', () => {
    const shown = formatFingerprint(hex);
    assert.match(shown, /^([0-9A-F]{4} ){7}[0-9A-F]{4}$/);
    assert.equal(shown.replace(/ /g, ''), hex.slice(0, 32).toUpperCase());
  });

  it('gives the same text for the hex, a sha256: prefixed form and its own output', () => {
    const shown = formatFingerprint(hex);
    assert.equal(formatFingerprint(`sha256:${hex}`), shown);
    assert.equal(formatFingerprint(`SHA256:${hex.toUpperCase()}`), shown);
    assert.equal(formatFingerprint(shown), shown);
  });

  it('tells different keys apart in the shown digits', () => {
    const other = createHash('sha256').update('ferry2').digest('hex');
    assert.notEqual(formatFingerprint(other), formatFingerprint(hex));
  });

  it('refuses text that is not a SHA-256', () => {
    assert.throws(() => formatFingerprint('abc'), /not a SHA-256 fingerprint/);
    assert.throws(() => formatFingerprint(`${hex.slice(0, 30)}zz${hex.slice(32)}`), /not a SHA-256 fingerprint/);
  });
});

describe('parseFingerprint', () => {
  const hex = createHash('sha256').update('ferry').digest('hex');

  it('reads the printed form however it was typed, and the full SHA-256', () => {
    const shown = formatFingerprint(hex);
    for (const typed of [shown, ` ${shown.toLowerCase()} `, shown.replace(/ /g, ':'), shown.replace(/ /g, '')]) assert.equal(parseFingerprint(typed), hex.slice(0, 32), typed);
    assert.equal(parseFingerprint(`sha256:${hex.toUpperCase()}`), hex);
  });

  it('is undefined for a path, a short or odd-length prefix, or non-hex text', () => {
    for (const text of ['site.pub', '/keys/site.pub', hex.slice(0, 31), hex.slice(0, 40), `${hex.slice(0, 31)}g`, '']) assert.equal(parseFingerprint(text), undefined, text);
  });
});
