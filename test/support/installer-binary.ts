import { createHash } from 'node:crypto';

/**
 * Client binaries carrying the real release placeholders, for the release fixtures. The markers are
 * copied from upstream, not from Ferry, so a test fails if Ferry's differ:
 *  - openshift/installer pkg/asset/releaseimage/default.go  `defaultReleaseImagePadded` (300 X)
 *  - openshift/installer pkg/version/version.go  `defaultVersionPadded`, `releaseArchitecturesPadded` (64 X)
 *  - openshift/oc pkg/version/version.go  `defaultVersionPadded` (64 X)
 * A Go binary holds them in its read-only data next to the prefix constants the readers compare
 * against (`defaultReleaseImagePrefix` …) and the built-in defaults; so does this one, after some
 * incompressible "text" so the markers sit well past the first read of any stream.
 *
 * The `script` format runs: a POSIX sh header (its offsets fixed, because filling keeps the length)
 * that answers `version` by reading its own placeholders the way those Go functions do (the value is
 * everything before the first NUL; a marker still starting with `\0NAME\0` means "use the default"),
 * then `exit`, then the binary part. `elf`, `macho` and `pe` only carry the right magic bytes.
 */
export const UPSTREAM_MARKERS = {
  releaseImage: `\x00_RELEASE_IMAGE_LOCATION_\x00${'X'.repeat(300)}\x00`,
  releaseVersion: `\x00_RELEASE_VERSION_LOCATION_\x00${'X'.repeat(64)}\x00`,
  releaseArchitecture: `\x00_RELEASE_ARCHITECTURE_LOCATION_\x00${'X'.repeat(64)}\x00`,
} as const;

export type MarkerKind = keyof typeof UPSTREAM_MARKERS;

/** What the unfilled binary falls back to (installer: pkg/asset/releaseimage/default.go, pkg/version/version.go). */
const DEFAULTS: Record<MarkerKind, string> = {
  releaseImage: 'registry.ci.openshift.org/origin/release:4.15',
  releaseVersion: 'was not built correctly',
  releaseArchitecture: 'unknown',
};

export type BinaryFormat = 'script' | 'elf' | 'macho' | 'pe';

export interface ClientBinaryOptions {
  command: 'openshift-install' | 'oc';
  format: BinaryFormat;
  /** The build's own version string (`Raw`), which differs between builds. */
  build: string;
  /** Leave the placeholders out: a binary `oc adm release extract` cannot pin. */
  withoutMarkers?: boolean;
}

export interface ClientBinary {
  bytes: Buffer;
  /** Byte offset of each placeholder in `bytes`; filling keeps the length, so they hold afterwards too. */
  offsets: Partial<Record<MarkerKind, number>>;
}

const HEADER_BYTES = 4096;
const TEXT_BYTES = 64 * 1024;

const MAGIC: Record<Exclude<BinaryFormat, 'script'>, Buffer> = {
  elf: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
  macho: Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 0x07, 0x00, 0x00, 0x01]),
  pe: Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'),
};

/** Incompressible, deterministic bytes standing in for machine code. */
function textSection(seed: string): Buffer {
  const chunks: Buffer[] = [];
  for (let i = 0; i * 32 < TEXT_BYTES; i++) chunks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(chunks).subarray(0, TEXT_BYTES);
}

function markersFor(command: ClientBinaryOptions['command']): MarkerKind[] {
  return command === 'openshift-install' ? ['releaseImage', 'releaseVersion', 'releaseArchitecture'] : ['releaseVersion'];
}

/** The sh header: `version` prints what the Go binary would, from the placeholders at their fixed offsets. */
function scriptHeader(command: ClientBinaryOptions['command'], offsets: ClientBinary['offsets'], build: string): Buffer {
  const field = (kind: MarkerKind) => {
    const at = offsets[kind];
    return at === undefined ? DEFAULTS[kind] : `$(field ${at} ${UPSTREAM_MARKERS[kind].length} '${DEFAULTS[kind]}')`;
  };
  const lines = [
    '#!/bin/sh',
    `# ${command} stand-in for tests (test/support/installer-binary.ts). Build ${build}.`,
    'field() {',
    `  v=$(dd if="$0" bs=1 skip="$1" count="$2" 2>/dev/null | tr '\\000' '\\n' | head -n 1)`,
    '  if [ -z "$v" ]; then printf "%s" "$3"; else printf "%s" "$v"; fi',
    '}',
    'if [ "$1" != version ]; then echo "usage: $0 version" >&2; exit 2; fi',
    ...(command === 'openshift-install'
      ? [
          `echo "$0 ${field('releaseVersion').replace(`'${DEFAULTS.releaseVersion}'`, `'${build}'`)}"`,
          'echo "built from commit 0000000000000000000000000000000000000000"',
          `echo "release image ${field('releaseImage')}"`,
          `echo "release architecture $(printf "%s" "${field('releaseArchitecture')}" | sed -e 's/^multi.*/multi/' -e 's#linux/##')"`,
        ]
      : [`echo "Client Version: ${field('releaseVersion').replace(`'${DEFAULTS.releaseVersion}'`, `'${build}'`)}"`]),
    'exit 0',
    '',
  ];
  const text = Buffer.from(lines.join('\n'));
  if (text.length > HEADER_BYTES) throw new Error('installer-binary: header too long');
  // Comment padding up to the fixed size, so the offsets baked into the header stay right.
  return Buffer.concat([text, Buffer.from(`#${'-'.repeat(HEADER_BYTES - text.length - 2)}\n`)]);
}

export function clientBinary(opts: ClientBinaryOptions): ClientBinary {
  const kinds = opts.withoutMarkers ? [] : markersFor(opts.command);
  const text = textSection(`${opts.command}/${opts.format}/${opts.build}`);
  // Read-only data: the prefix constants and defaults, then the padded placeholders.
  const rodata: Buffer[] = [Buffer.from(`${opts.build}\x00${DEFAULTS.releaseImage}\x00`, 'latin1')];
  for (const kind of kinds) rodata.push(Buffer.from(UPSTREAM_MARKERS[kind].slice(0, UPSTREAM_MARKERS[kind].indexOf('\x00', 1) + 1), 'latin1'));
  const offsets: ClientBinary['offsets'] = {};
  let at = HEADER_BYTES + text.length + rodata.reduce((n, b) => n + b.length, 0);
  for (const kind of kinds) {
    offsets[kind] = at;
    const marker = Buffer.from(UPSTREAM_MARKERS[kind], 'latin1');
    rodata.push(marker);
    at += marker.length;
  }
  rodata.push(Buffer.from('\x00go1.21.7 X:strictfipsruntime\x00', 'latin1'));
  const header = opts.format === 'script' ? scriptHeader(opts.command, offsets, opts.build) : Buffer.concat([MAGIC[opts.format], Buffer.alloc(HEADER_BYTES - 8)]);
  return { bytes: Buffer.concat([header, text, ...rodata]), offsets };
}

/** The placeholders as the binary itself reads them (undefined: still the marker, so the built-in default). */
export function readPlaceholders(bin: ClientBinary, bytes: Buffer): Partial<Record<MarkerKind, string | undefined>> {
  const out: Partial<Record<MarkerKind, string | undefined>> = {};
  for (const [kind, at] of Object.entries(bin.offsets) as Array<[MarkerKind, number]>) {
    const region = bytes.subarray(at, at + UPSTREAM_MARKERS[kind].length);
    const prefix = UPSTREAM_MARKERS[kind].slice(0, UPSTREAM_MARKERS[kind].indexOf('\x00', 1) + 1);
    out[kind] = region.subarray(0, prefix.length).toString('latin1') === prefix ? undefined : region.subarray(0, region.indexOf(0)).toString('utf8');
  }
  return out;
}

/**
 * The bytes `oc adm release extract --command` leaves for these values: at each placeholder the value
 * and one NUL, the rest of the marker as it was (extract_tools.go `copyAndReplace`).
 */
export function pinnedBytes(bin: ClientBinary, values: Partial<Record<MarkerKind, string>>): Buffer {
  const out = Buffer.from(bin.bytes);
  for (const [kind, value] of Object.entries(values) as Array<[MarkerKind, string]>) {
    const at = bin.offsets[kind];
    if (at === undefined) continue;
    Buffer.from(`${value}\0`, 'utf8').copy(out, at);
  }
  return out;
}
