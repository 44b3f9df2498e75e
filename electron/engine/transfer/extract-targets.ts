import { FerryError } from '../../../shared/errors';
import type { PlaceholderKind } from '../image-files/placeholders';

/**
 * Which file of which release component `--command` and `--command-os` name, and which placeholders
 * it carries: the `availableTargets` table of openshift/oc pkg/cli/admin/release/extract_tools.go
 * (the single-binary rows; oc's archive mode, `--command-os '*'`, is not offered) and its selection
 * rules, followed as they are.
 */
export interface ExtractTarget {
  os: 'linux' | 'darwin' | 'windows';
  /** A Go architecture, or `release-arch`: the payload's own architecture (from the non-artifacts image). */
  arch: string;
  command: string;
  /** The release component (image-references tag) holding the file, and its path in that image. */
  image: string;
  path: string;
  /** The file name written, when it differs from the command (`oc.rhel9` is written as `oc`). */
  writeAs?: string;
  /** The placeholders oc fills in this binary (its Inject* flags). */
  inject: PlaceholderKind[];
}

const RELEASE_ARCH = 'release-arch';

const CLIENT: PlaceholderKind[] = ['releaseVersion'];
const INSTALLER: PlaceholderKind[] = ['releaseImage', 'releaseVersion', 'releaseArchitecture'];

const oc = (os: ExtractTarget['os'], arch: string, image: string, path: string, command = 'oc'): ExtractTarget => ({
  os,
  arch,
  command,
  image,
  path,
  ...(command !== 'oc' ? { writeAs: 'oc' } : {}),
  inject: CLIENT,
});
const installer = (os: ExtractTarget['os'], arch: string, image: string, path: string, command = 'openshift-install'): ExtractTarget => ({
  os,
  arch,
  command,
  image,
  path,
  inject: INSTALLER,
});

const EXTRACT_TARGETS: readonly ExtractTarget[] = [
  oc('darwin', 'amd64', 'cli-artifacts', 'usr/share/openshift/mac/oc'),
  oc('darwin', 'arm64', 'cli-artifacts', 'usr/share/openshift/mac_arm64/oc'),
  oc('linux', RELEASE_ARCH, 'cli', 'usr/bin/oc'),
  oc('linux', 'amd64', 'cli-artifacts', 'usr/share/openshift/linux_amd64/oc'),
  oc('linux', 'amd64', 'cli-artifacts', 'usr/share/openshift/linux_amd64/oc.rhel9', 'oc.rhel9'),
  oc('linux', 'amd64', 'cli-artifacts', 'usr/share/openshift/linux_amd64/oc.rhel8', 'oc.rhel8'),
  oc('linux', 'arm64', 'cli-artifacts', 'usr/share/openshift/linux_arm64/oc'),
  oc('linux', 'arm64', 'cli-artifacts', 'usr/share/openshift/linux_arm64/oc.rhel9', 'oc.rhel9'),
  oc('linux', 'arm64', 'cli-artifacts', 'usr/share/openshift/linux_arm64/oc.rhel8', 'oc.rhel8'),
  oc('linux', 'ppc64le', 'cli-artifacts', 'usr/share/openshift/linux_ppc64le/oc'),
  oc('linux', 'ppc64le', 'cli-artifacts', 'usr/share/openshift/linux_ppc64le/oc.rhel9', 'oc.rhel9'),
  oc('linux', 'ppc64le', 'cli-artifacts', 'usr/share/openshift/linux_ppc64le/oc.rhel8', 'oc.rhel8'),
  oc('linux', 's390x', 'cli-artifacts', 'usr/share/openshift/linux_s390x/oc.rhel9', 'oc.rhel9'),
  oc('linux', 's390x', 'cli-artifacts', 'usr/share/openshift/linux_s390x/oc.rhel8', 'oc.rhel8'),
  oc('windows', 'amd64', 'cli-artifacts', 'usr/share/openshift/windows/oc.exe'),
  installer('darwin', 'amd64', 'installer-artifacts', 'usr/share/openshift/mac/openshift-install'),
  installer('darwin', 'arm64', 'installer-artifacts', 'usr/share/openshift/mac_arm64/openshift-install'),
  installer('linux', RELEASE_ARCH, 'installer', 'usr/bin/openshift-install'),
  installer('linux', 'amd64', 'installer-artifacts', 'usr/share/openshift/linux_amd64/openshift-install'),
  installer('linux', 'arm64', 'installer-artifacts', 'usr/share/openshift/linux_arm64/openshift-install'),
  installer('linux', RELEASE_ARCH, 'baremetal-installer', 'usr/bin/openshift-install', 'openshift-baremetal-install'),
];

export const EXTRACTABLE_COMMANDS: readonly string[] = [...new Set(EXTRACT_TARGETS.map((t) => t.command))];

export interface CommandPlatform {
  os: string;
  arch: string;
}

/**
 * `--command-os` as oc reads it: `OS` alone means `OS/amd64`, `OS/ARCH` otherwise, `mac` is `darwin`.
 * Without it oc takes its own host's platform; Ferry takes linux on the payload's architecture, because
 * the binary runs on the installation host, not on the machine running Ferry.
 */
export function parseCommandOs(value: string | undefined, releaseArch: string): CommandPlatform {
  if (value === undefined || value === '') return { os: 'linux', arch: releaseArch };
  if (value === '*') {
    throw new FerryError('USAGE', '--command-os "*" (every platform, as archives) is not supported by ferry extract.', {
      hint: 'Give one platform, e.g. --command-os linux/arm64, mac/arm64 or windows.',
    });
  }
  const parts = value.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) {
    throw new FerryError('USAGE', `"${value}" is not a valid --command-os value.`, { hint: 'Give OS or OS/ARCH, e.g. linux, linux/arm64, mac, mac/arm64, windows.' });
  }
  const os = parts[0] === 'mac' ? 'darwin' : parts[0]!;
  return { os, arch: parts[1] ?? 'amd64' };
}

function platforms(command: string): string {
  return EXTRACT_TARGETS.filter((t) => t.command === command)
    .map((t) => `${t.os === 'darwin' ? 'mac' : t.os}/${t.arch === RELEASE_ARCH ? 'ARCH-OF-THE-RELEASE' : t.arch}`)
    .join(', ');
}

/** oc's selection: OS must match; ARCH must match, or be the payload's own, which the release-arch row serves. */
export function selectTarget(command: string, platform: CommandPlatform, releaseArch: string): ExtractTarget {
  const rows = EXTRACT_TARGETS.filter((t) => t.command === command);
  if (rows.length === 0) {
    throw new FerryError('USAGE', `Ferry cannot extract the command "${command}".`, { hint: `Known commands: ${EXTRACTABLE_COMMANDS.join(', ')}.` });
  }
  const chosen: ExtractTarget[] = [];
  let releaseArchRow = false;
  for (const t of rows) {
    if (t.os !== platform.os) continue;
    if (t.arch !== platform.arch && !(platform.arch === releaseArch && t.arch === RELEASE_ARCH)) continue;
    if (t.arch === RELEASE_ARCH) releaseArchRow = true;
    // The per-arch artifacts row for the payload's own arch duplicates the release-arch row: oc skips it.
    else if (t.os === 'linux' && t.arch === releaseArch && releaseArchRow) continue;
    chosen.push(t);
  }
  if (chosen.length === 0) {
    throw new FerryError('USAGE', `The command "${command}" does not exist for ${platform.os}/${platform.arch} in a ${releaseArch} release.`, {
      hint: `oc offers ${command} for: ${platforms(command)}.`,
    });
  }
  return chosen[0]!;
}
