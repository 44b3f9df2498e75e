import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ferry, repoRoot } from '../support/cli';

const { version } = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { version: string };

test('ferry --version and -V print the version and exit 0', async () => {
  for (const flag of ['--version', '-V']) {
    const r = await ferry([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), version);
  }
});

test('release info --version is the command’s own option, not the program’s', async () => {
  // The version names a release to resolve; its source is mirrored to a closed port, so resolving fails there.
  const r = await ferry(['release', 'info', '--version', '4.15.3', '--source-mirror', 'quay.io/openshift-release-dev=127.0.0.1:9/ocp']);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stdout, new RegExp(`^${version.replace(/\./g, '\\.')}\\s*$`));
  assert.match(r.stderr, /127\.0\.0\.1:9/);
});
