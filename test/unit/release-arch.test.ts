import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../shared/errors';
import { parseReleaseArchitecture, tagArchitecture } from '../../shared/release-arch';
import { releasePullspec, toOciArch } from '../../electron/engine/release/resolve';

describe('release architectures (oc mirror.go archMap)', () => {
  const names: Array<[string, string, string | undefined]> = [
    ['x86_64', 'x86_64', 'amd64'],
    ['amd64', 'x86_64', 'amd64'],
    ['aarch64', 'aarch64', 'arm64'],
    ['arm64', 'aarch64', 'arm64'],
    ['ppc64le', 'ppc64le', 'ppc64le'],
    ['s390x', 's390x', 's390x'],
    ['multi', 'multi', undefined],
    [' AMD64 ', 'x86_64', 'amd64'],
  ];
  for (const [name, tag, platform] of names) {
    it(`${JSON.stringify(name)} is the ${tag} payload`, () => {
      assert.deepEqual(parseReleaseArchitecture(name), { tag, ...(platform ? { platform } : {}) });
      assert.equal(releasePullspec('4.16.3', name), `quay.io/openshift-release-dev/ocp-release:4.16.3-${tag}`);
      assert.equal(toOciArch(name), platform ?? 'amd64');
    });
  }

  it('refuses a name oc does not know, listing the ones it does (exit 2)', () => {
    for (const bad of ['sparc', 'x86-64', 'arm', '']) {
      assert.throws(
        () => parseReleaseArchitecture(bad),
        (e: unknown) => e instanceof FerryError && e.exitCode === 2 && /aarch64 \(arm64\)/.test(e.hint ?? ''),
        bad,
      );
    }
  });

  it("maps an image config's Go architecture to the tag suffix, keeping one it does not know", () => {
    assert.equal(tagArchitecture('amd64'), 'x86_64');
    assert.equal(tagArchitecture('arm64'), 'aarch64');
    assert.equal(tagArchitecture('s390x'), 's390x');
    assert.equal(tagArchitecture('riscv64'), 'riscv64');
  });
});
