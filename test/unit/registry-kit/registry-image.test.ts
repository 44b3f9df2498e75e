import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodePlatformFor } from '../../../electron/engine/registry-kit/registry-image';

test('the registry node’s platform follows --arch, else the release pullspec’s tag, else linux/amd64', () => {
  assert.equal(nodePlatformFor('aarch64'), 'linux/arm64');
  assert.equal(nodePlatformFor('arm64'), 'linux/arm64');
  assert.equal(nodePlatformFor('s390x'), 'linux/s390x');
  assert.equal(nodePlatformFor('quay.io/openshift-release-dev/ocp-release:4.15.3-ppc64le'), 'linux/ppc64le');
  assert.equal(nodePlatformFor('quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64'), 'linux/amd64');
  assert.equal(nodePlatformFor('quay.io/openshift-release-dev/ocp-release:4.15.3-multi'), 'linux/amd64');
  assert.equal(nodePlatformFor('quay.io/openshift-release-dev/ocp-release@sha256:' + 'a'.repeat(64)), 'linux/amd64');
  assert.equal(nodePlatformFor(undefined), 'linux/amd64');
});
