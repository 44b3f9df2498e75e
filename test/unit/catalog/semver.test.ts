import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersionStrings, parseRange, parseSemVer, versionInRange } from '../../../shared/catalog/semver';

// blang/semver v4 semantics, which OLM uses for bundle versions, skipRange and olm.package.required:
// strict MAJOR.MINOR.PATCH, semver 2.0 precedence, ranges of space-joined (AND) comparators and `||` (OR).
describe('catalog semver (blang/semver v4 as OLM uses it)', () => {
  it('parses strict versions only', () => {
    assert.deepEqual(parseSemVer('1.2.3-rc.1+build.5'), { major: 1, minor: 2, patch: 3, pre: ['rc', 1] });
    for (const bad of ['1.2', 'v1.2.3', '01.2.3', '1.2.3-', 'x']) assert.equal(parseSemVer(bad), undefined, bad);
  });

  it('orders by semver 2.0 precedence: pre-releases before the release, numeric identifiers numerically', () => {
    const sorted = ['1.0.0', '1.0.0-rc.1', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta.11', '1.0.0-beta.2', '0.9.10', '0.9.9', '1.0.0+b'].sort(compareVersionStrings);
    assert.deepEqual(sorted, ['0.9.9', '0.9.10', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.0+b']);
    assert.equal(compareVersionStrings('1.0.0', '1.0.0+build'), 0);
  });

  it('matches skipRange-style ranges: AND within, OR across ||, every operator', () => {
    assert.equal(versionInRange('4.1.5', '>=4.1.0 <4.2.0'), true);
    assert.equal(versionInRange('4.2.0', '>=4.1.0 <4.2.0'), false);
    assert.equal(versionInRange('4.0.9', '>=4.1.0 <4.2.0'), false);
    assert.equal(versionInRange('3.0.0', '<2.0.0 || >=3.0.0'), true);
    assert.equal(versionInRange('2.5.0', '<2.0.0 || >=3.0.0'), false);
    assert.equal(versionInRange('1.0.0', '1.0.0'), true);
    assert.equal(versionInRange('1.0.0', '==1.0.0'), true);
    assert.equal(versionInRange('1.0.0', '!=1.0.0'), false);
    assert.equal(versionInRange('1.0.1', '!1.0.0'), true);
    assert.equal(versionInRange('1.0.1', '> 1.0.0 <= 1.0.1'), true);
    assert.equal(versionInRange('1.0.0-rc.1', '>=1.0.0'), false);
  });

  it('treats a malformed range or version as matching nothing', () => {
    assert.equal(parseRange('>=1.0'), undefined);
    assert.equal(parseRange('>=1.0.0 ||'), undefined);
    assert.equal(parseRange('~1.0.0'), undefined);
    assert.equal(versionInRange('1.0.0', 'garbage'), false);
    assert.equal(versionInRange('not-a-version', '>=0.0.0'), false);
  });
});
