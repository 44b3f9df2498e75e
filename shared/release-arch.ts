import { FerryError } from './errors';

/**
 * OpenShift names an architecture two ways: release tags use the `uname -m` names (x86_64, aarch64,
 * ppc64le, s390x) plus `multi` for the manifest-list payload; image platforms and the update graph use
 * Go's (amd64, arm64, ppc64le, s390x). oc's archMap (pkg/cli/admin/release/mirror.go) maps the Go name
 * of the payload's config to its tag suffix, `-multi` when the manifest list is kept. Ferry takes
 * either spelling wherever it takes an architecture.
 */
export type ReleaseTagArch = 'x86_64' | 'aarch64' | 'ppc64le' | 's390x' | 'multi';
export type PlatformArch = 'amd64' | 'arm64' | 'ppc64le' | 's390x';

export interface ReleaseArchitecture {
  /** The release tag suffix: `ocp-release:VERSION-<tag>`. */
  tag: ReleaseTagArch;
  /** The image platform (linux/<platform>); a multi payload has one per architecture, so none. */
  platform?: PlatformArch;
}

const NAMES: Record<string, ReleaseArchitecture> = {
  x86_64: { tag: 'x86_64', platform: 'amd64' },
  amd64: { tag: 'x86_64', platform: 'amd64' },
  aarch64: { tag: 'aarch64', platform: 'arm64' },
  arm64: { tag: 'aarch64', platform: 'arm64' },
  ppc64le: { tag: 'ppc64le', platform: 'ppc64le' },
  s390x: { tag: 's390x', platform: 's390x' },
  multi: { tag: 'multi' },
};

/** For help texts: every accepted name, pairs first. */
export const ARCHITECTURE_NAMES = 'x86_64 (amd64), aarch64 (arm64), ppc64le, s390x or multi';

export function parseReleaseArchitecture(name: string): ReleaseArchitecture {
  const found = NAMES[name.trim().toLowerCase()];
  if (!found) throw new FerryError('USAGE', `"${name}" is not an OpenShift release architecture.`, { hint: `Use ${ARCHITECTURE_NAMES}.` });
  return found;
}

/** The tag suffix for an image config's (Go) architecture; one oc does not map keeps its name, as in oc. */
export function tagArchitecture(platformArch: string): string {
  const found = NAMES[platformArch];
  return found?.platform === platformArch ? found.tag : platformArch;
}
