import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IndexIgnore } from '../../../electron/engine/catalog/index-ignore';

// operator-registry skips files an .indexignore (gitignore syntax) names, relative to its own directory.
describe('.indexignore', () => {
  const ig = new IndexIgnore();
  ig.add('configs', '# comment\n\nREADME.md\n*.txt\n!keep.txt\n/top-only.json\ndrafts/\nnested/**/old.json\n');
  ig.add('configs/pkg', 'local.yaml\n');

  it('matches names at any depth, with globs and negation (last match wins)', () => {
    assert.equal(ig.ignores('configs/README.md'), true);
    assert.equal(ig.ignores('configs/a/b/README.md'), true);
    assert.equal(ig.ignores('configs/a/notes.txt'), true);
    assert.equal(ig.ignores('configs/a/keep.txt'), false);
    assert.equal(ig.ignores('configs/a/catalog.json'), false);
  });

  it('anchors patterns with a slash to the .indexignore directory; a trailing slash means a directory', () => {
    assert.equal(ig.ignores('configs/top-only.json'), true);
    assert.equal(ig.ignores('configs/a/top-only.json'), false);
    assert.equal(ig.ignores('configs/a/drafts/catalog.json'), true);
    assert.equal(ig.ignores('configs/drafts'), false);
    assert.equal(ig.ignores('configs/nested/old.json'), true);
    assert.equal(ig.ignores('configs/nested/x/y/old.json'), true);
  });

  it('applies a nested .indexignore below its own directory only', () => {
    assert.equal(ig.ignores('configs/pkg/local.yaml'), true);
    assert.equal(ig.ignores('configs/other/local.yaml'), false);
  });
});
