import { clientBinary, type BinaryFormat, type ClientBinary } from './installer-binary';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fillerText, keystream } from './bytes';
import { addIndex, addLayer, type BuiltLayer, type LayerEntry } from './layers';
import { MEDIA, OciLayoutWriter, type Descriptor } from './oci-layout';
import { inBatches, inspectManifest, pushFromLayout } from './push';
import { COMPONENT_REPOSITORY, RELEASE_REPOSITORY } from './release';
import { REAL_PAYLOAD_COMPONENTS } from './release-components';
import type { TestWorld } from './world';

/**
 * A release payload built the way `oc adm release new` builds one (openshift/oc
 * pkg/cli/admin/release/new.go), pushed with real skopeo so every digest is real:
 *
 * - the release image is the cluster-version-operator image's layers plus one last gzip layer holding
 *   `release-manifests/` (`image-references`, `release-metadata`, a few manifests), Docker schema2, its
 *   config labels replaced by exactly `io.openshift.release` and `io.openshift.release.base-image-digest`
 *   (the CVO manifest it was built on), its history one "Release image for OpenShift" entry;
 * - `image-references` is the ImageStream oc writes (tags sorted by name, build annotations, `from` a
 *   quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256 reference) naming the 183 components of a
 *   real payload (release-components.ts);
 * - `release-metadata` is `cincinnati-metadata-v0` with `version`, `previous` (sorted as oc sorts:
 *   as strings) and `metadata.url`, and no channels: real payloads carry none;
 * - `installer`, `installer-artifacts`, `cli` and `cli-artifacts` hold their binaries at the paths
 *   oc's extract_tools.go reads;
 * - the `-multi` payload is a Docker manifest list of one release image per architecture, whose
 *   image-references name component manifest lists (one child per architecture), as
 *   `oc adm release new --keep-manifest-list` builds it.
 *
 * Components share base layers per architecture, as real ones share the RHEL and OpenShift base images.
 * Layers are small (a few KiB): the build stays quick on two shared cores.
 */

export type PayloadArch = 'amd64' | 'arm64' | 'ppc64le' | 's390x';
/** The architectures of a `-multi` payload. */
export const MULTI_ARCHES: readonly PayloadArch[] = ['amd64', 'arm64', 'ppc64le', 's390x'];
/** oc's archMap (mirror.go): the release tag suffix for a Go architecture. */
const TAG_ARCH: Record<PayloadArch, string> = { amd64: 'x86_64', arm64: 'aarch64', ppc64le: 'ppc64le', s390x: 's390x' };

/** One client binary a payload ships: which command, for which platform, in a release of which architecture. */
export interface ToolBinaryInput {
  version: string;
  command: 'openshift-install' | 'oc';
  os: 'linux' | 'darwin' | 'windows';
  arch: PayloadArch;
}
export type ToolBinary = (input: ToolBinaryInput) => ClientBinary;

const FORMAT: Record<ToolBinaryInput['os'], BinaryFormat> = { linux: 'elf', darwin: 'macho', windows: 'pe' };

/**
 * The client binary a real payload ships: the platform's executable magic and the installer's or oc's
 * release placeholders (test/support/installer-binary.ts, copied from upstream), so extract's pinning
 * is exercised on the faithful payload too.
 */
export function defaultToolBinary(input: ToolBinaryInput): ClientBinary {
  return clientBinary({ command: input.command, format: FORMAT[input.os], build: `${input.command} ${input.version} ${input.os}/${input.arch}` });
}

/** Where extract_tools.go finds each client binary: image, path, platform. */
interface ToolPlacement {
  component: string;
  path: string;
  command: ToolBinaryInput['command'];
  os: ToolBinaryInput['os'];
  /** The binary's architecture; `release` = the payload image's own. */
  arch: PayloadArch | 'release';
}

const TOOLS: readonly ToolPlacement[] = [
  { component: 'installer', path: 'usr/bin/openshift-install', command: 'openshift-install', os: 'linux', arch: 'release' },
  { component: 'installer-artifacts', path: 'usr/share/openshift/mac/openshift-install', command: 'openshift-install', os: 'darwin', arch: 'amd64' },
  { component: 'installer-artifacts', path: 'usr/share/openshift/mac_arm64/openshift-install', command: 'openshift-install', os: 'darwin', arch: 'arm64' },
  { component: 'installer-artifacts', path: 'usr/share/openshift/linux_amd64/openshift-install', command: 'openshift-install', os: 'linux', arch: 'amd64' },
  { component: 'installer-artifacts', path: 'usr/share/openshift/linux_arm64/openshift-install', command: 'openshift-install', os: 'linux', arch: 'arm64' },
  { component: 'cli', path: 'usr/bin/oc', command: 'oc', os: 'linux', arch: 'release' },
  { component: 'cli-artifacts', path: 'usr/share/openshift/mac/oc', command: 'oc', os: 'darwin', arch: 'amd64' },
  { component: 'cli-artifacts', path: 'usr/share/openshift/mac_arm64/oc', command: 'oc', os: 'darwin', arch: 'arm64' },
  { component: 'cli-artifacts', path: 'usr/share/openshift/windows/oc.exe', command: 'oc', os: 'windows', arch: 'amd64' },
  { component: 'cli-artifacts', path: 'usr/share/openshift/linux_amd64/oc', command: 'oc', os: 'linux', arch: 'amd64' },
  { component: 'cli-artifacts', path: 'usr/share/openshift/linux_arm64/oc', command: 'oc', os: 'linux', arch: 'arm64' },
  { component: 'cli-artifacts', path: 'usr/share/openshift/linux_ppc64le/oc', command: 'oc', os: 'linux', arch: 'ppc64le' },
  { component: 'cli-artifacts', path: 'usr/share/openshift/linux_s390x/oc', command: 'oc', os: 'linux', arch: 's390x' },
];

/** Images built on top of another component's image, as the real Dockerfiles layer them. */
const BUILT_ON: Record<string, string> = { 'installer-artifacts': 'installer', 'cli-artifacts': 'cli' };

export interface FaithfulComponent {
  name: string;
  /** Manifest digest in the source (a manifest list's for a `-multi` payload). */
  digest: string;
  mediaType: string;
  /** quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:… — the name in image-references. */
  quayRef: string;
  /** For a manifest list: architecture → child manifest digest. */
  platforms?: Partial<Record<PayloadArch, string>>;
}

export interface ShippedTool extends Omit<ToolBinaryInput, 'version'> {
  component: string;
  /** Path inside the image (no leading slash). */
  path: string;
  /** The payload image architecture whose component holds it. */
  payloadArch: PayloadArch;
  /** The bytes as shipped, and where its placeholders sit (readPlaceholders reads them back). */
  binary: ClientBinary;
}

export interface FaithfulRelease {
  version: string;
  /** The tag suffix: x86_64, aarch64, ppc64le, s390x or multi. */
  arch: string;
  /** "127.0.0.1:SRC/openshift-release-dev/ocp-release:4.16.3-x86_64" */
  pullspec: string;
  /** "quay.io/openshift-release-dev/ocp-release:4.16.3-x86_64" — the pullspec an operator types. */
  quayTagged: string;
  digest: string;
  mediaType: string;
  /** For `-multi`: architecture → release image digest. */
  platforms?: Partial<Record<PayloadArch, string>>;
  /** The cluster-version-operator manifest each release image was built on (its base-image-digest label). */
  baseImageDigests: Partial<Record<PayloadArch, string>>;
  components: FaithfulComponent[];
  /** Every config and layer blob (all architectures, release images included) → size. */
  blobs: Map<string, number>;
  /** Every manifest digest that must travel: release, components, and every child of a list. */
  manifests: Set<string>;
  metadata: { previous: string[]; url: string };
  tools: ShippedTool[];
}

export interface FaithfulReleaseOptions {
  version?: string;
  /** The payload architecture; `multi` builds a manifest list over MULTI_ARCHES. Default amd64. */
  arch?: PayloadArch | 'multi';
  /** How many of the real payload's components (first N by name, always with the special ones). Default all 183. */
  components?: number;
  /** Content of every client binary; the default is a stand-in executable. */
  toolBinary?: ToolBinary;
}

const QUAY = 'quay.io';
const BUNDLE_TAG = 'ferry-fixture-bundle';
/** Images per bundle list: four bundles of a full payload push side by side. */
const BUNDLE_SIZE = 48;
const SPECIAL = ['cluster-version-operator', 'installer', 'installer-artifacts', 'cli', 'cli-artifacts'];
const CREATED = '2024-07-10T12:00:00Z';

function previousVersions(version: string): string[] {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  const prev = [...Array.from({ length: 6 }, (_, i) => `${major}.${minor - 1}.${i + 10}`), ...Array.from({ length: patch }, (_, i) => `${major}.${minor}.${i}`)];
  // new.go: sort.Strings — a string sort, so 4.15.10 comes before 4.15.2.
  return prev.sort();
}

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function componentNames(count: number | undefined): Array<readonly [string, string]> {
  if (count === undefined || count >= REAL_PAYLOAD_COMPONENTS.length) return [...REAL_PAYLOAD_COMPONENTS];
  const special = REAL_PAYLOAD_COMPONENTS.filter(([n]) => SPECIAL.includes(n));
  const rest = REAL_PAYLOAD_COMPONENTS.filter(([n]) => !SPECIAL.includes(n)).slice(0, Math.max(0, count - special.length));
  return [...special, ...rest].sort(([a], [b]) => (a < b ? -1 : 1));
}

interface BuiltImage {
  descriptor: Descriptor;
  layers: BuiltLayer[];
  config: ImageConfig;
}

interface ImageConfig {
  created: string;
  architecture: string;
  os: string;
  config: { Env: string[]; Entrypoint?: string[]; Cmd?: string[]; Labels: Record<string, string> };
  rootfs: { type: 'layers'; diff_ids: string[] };
  history: Array<{ created: string; created_by?: string; comment?: string }>;
}

async function writeImage(layout: OciLayoutWriter, config: ImageConfig, layers: BuiltLayer[], platform: Descriptor['platform']): Promise<BuiltImage> {
  const configDesc = await layout.addJson(config, MEDIA.ociConfig);
  const manifest = await layout.addJson({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: configDesc, layers: layers.map((l) => l.descriptor) }, MEDIA.ociManifest);
  return { descriptor: { ...manifest, ...(platform ? { platform } : {}) }, layers, config };
}

class PayloadBuilder {
  private readonly shared = new Map<string, Promise<BuiltLayer>>();
  readonly tools: ShippedTool[] = [];

  constructor(
    private readonly layout: OciLayoutWriter,
    private readonly version: string,
    private readonly toolBinary: ToolBinary,
  ) {}

  private once(key: string, entries: () => LayerEntry[]): Promise<BuiltLayer> {
    let layer = this.shared.get(key);
    if (!layer) {
      layer = addLayer(this.layout, entries());
      this.shared.set(key, layer);
    }
    return layer;
  }

  /** The RHEL base and the OpenShift base every component of one architecture starts from. */
  private base(arch: PayloadArch): Promise<BuiltLayer[]> {
    return Promise.all([
      this.once(`rhel/${arch}`, () => [
        { path: 'etc/', type: 'directory' },
        { path: 'etc/os-release', content: `NAME="Red Hat Enterprise Linux"\nVERSION_ID="9.4"\nID="rhel"\n` },
        { path: 'usr/lib64/librhel.so', content: { size: 48 * 1024, stream: () => keystream(`rhel/${arch}`, 48 * 1024) } },
      ]),
      this.once(`openshift-base/${arch}`, () => [{ path: 'usr/share/openshift/base.txt', content: fillerText(`openshift-base/${arch}`, 16 * 1024) }]),
    ]);
  }

  async component(name: string, repository: string, arch: PayloadArch, built: Map<string, BuiltImage>): Promise<BuiltImage> {
    const parent = BUILT_ON[name];
    const layers = parent ? [...built.get(`${parent}/${arch}`)!.layers] : await this.base(arch);
    const tools = TOOLS.filter((t) => t.component === name);
    const entries: LayerEntry[] = tools.map((t) => {
      const toolArch = t.arch === 'release' ? arch : t.arch;
      const binary = this.toolBinary({ version: this.version, command: t.command, os: t.os, arch: toolArch });
      this.tools.push({ component: name, path: t.path, command: t.command, os: t.os, arch: toolArch, payloadArch: arch, binary });
      return { path: t.path, content: binary.bytes, mode: 0o755 };
    });
    if (!parent) entries.push({ path: `usr/bin/${name}`, content: { size: 3 * 1024, stream: () => keystream(`${this.version}/${name}/${arch}`, 3 * 1024) }, mode: 0o755 });
    layers.push(await addLayer(this.layout, entries));
    const labels: Record<string, string> = {
      'io.openshift.build.commit.id': hex(`commit/${name}`, 40),
      ...(repository ? { 'io.openshift.build.source-location': `https://github.com/${repository}` } : {}),
      ...(name.endsWith('-operator') ? { 'io.openshift.release.operator': 'true' } : {}),
    };
    const image = await writeImage(
      this.layout,
      {
        created: CREATED,
        architecture: arch,
        os: 'linux',
        config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Entrypoint: [`/usr/bin/${name}`], Labels: labels },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: layers.map(() => ({ created: CREATED, created_by: 'ferry faithful fixture' })),
      },
      layers,
      { os: 'linux', architecture: arch },
    );
    built.set(`${name}/${arch}`, image);
    return image;
  }

  /** new.go: the CVO image's layers plus the release-manifests layer; labels replaced, history reset. */
  async releaseImage(cvo: BuiltImage, cvoDigest: string, arch: PayloadArch, imageStream: string, metadata: string): Promise<BuiltImage> {
    const manifests = await this.once('release-manifests', () => [
      { path: 'release-manifests', type: 'directory', mode: 0o777 },
      { path: 'release-manifests/image-references', content: imageStream, mode: 0o444 },
      { path: 'release-manifests/release-metadata', content: metadata, mode: 0o444 },
      {
        path: 'release-manifests/0000_00_cluster-version-operator_00_namespace.yaml',
        content: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: openshift-cluster-version\n  annotations:\n    include.release.openshift.io/self-managed-high-availability: "true"\n',
        mode: 0o444,
      },
      {
        path: 'release-manifests/0000_50_cluster-image-registry-operator_01-registry.crd.yaml',
        content: fillerText('registry crd', 4 * 1024),
        mode: 0o444,
      },
    ]);
    const layers = [...cvo.layers, manifests];
    return writeImage(
      this.layout,
      {
        ...cvo.config,
        created: CREATED,
        architecture: arch,
        config: { ...cvo.config.config, Labels: { 'io.openshift.release': this.version, 'io.openshift.release.base-image-digest': cvoDigest } },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: [{ comment: 'Release image for OpenShift', created: CREATED }],
      },
      layers,
      { os: 'linux', architecture: arch },
    );
  }
}

/** new.go writes the ImageStream with json.MarshalIndent(is, "", "  "): tags sorted by name. */
function imageStreamJson(version: string, components: Array<{ name: string; repository: string; quayRef: string }>): string {
  return JSON.stringify(
    {
      kind: 'ImageStream',
      apiVersion: 'image.openshift.io/v1',
      metadata: {
        name: version,
        creationTimestamp: CREATED,
        annotations: {
          'release.openshift.io/from-image-stream': `ocp/${version.split('.').slice(0, 2).join('.')}-art-latest-2024-07-09-120000`,
          'release.openshift.io/from-release': `registry.ci.openshift.org/ocp/release:${version}-0.nightly-2024-07-09-120000`,
        },
      },
      spec: {
        lookupPolicy: { local: false },
        tags: [...components]
          .sort((a, b) => (a.name < b.name ? -1 : 1))
          .map((c) => ({
            name: c.name,
            annotations: {
              'io.openshift.build.commit.id': hex(`commit/${c.name}`, 40),
              'io.openshift.build.commit.ref': '',
              'io.openshift.build.source-location': c.repository ? `https://github.com/${c.repository}` : '',
            },
            from: { kind: 'DockerImage', name: c.quayRef },
            generation: null,
            importPolicy: {},
            referencePolicy: { type: '' },
          })),
      },
      status: { dockerImageRepository: '' },
    },
    null,
    2,
  );
}

/** Child digests of a manifest list as the registry holds it (conversion to schema2 renames children). */
async function listChildren(world: TestWorld, ref: string): Promise<Array<{ digest: string; architecture: string }>> {
  const list = JSON.parse((await inspectManifest(world, ref)).raw) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
  return list.manifests.map((m) => ({ digest: m.digest, architecture: m.platform.architecture }));
}

/**
 * Builds a faithful release payload and pushes it into the world's source registry: components by
 * digest under `openshift-release-dev/ocp-v4.0-art-dev` (the only tags there are the fixture's own
 * `ferry-fixture-bundle-N` and, for multi, `list-NAME`, which no payload names), the release image
 * at `openshift-release-dev/ocp-release:VERSION-ARCH` (ARCH as oc tags it: x86_64, aarch64, …, multi).
 * All manifests are Docker schema2 (lists: Docker manifest lists), as quay.io serves them.
 */
export async function pushFaithfulRelease(world: TestWorld, opts: FaithfulReleaseOptions = {}): Promise<FaithfulRelease> {
  const version = opts.version ?? '4.16.3';
  const multi = opts.arch === 'multi';
  const arches: readonly PayloadArch[] = multi ? MULTI_ARCHES : [(opts.arch as PayloadArch | undefined) ?? 'amd64'];
  const tagArch = multi ? 'multi' : TAG_ARCH[arches[0]!];
  const names = componentNames(opts.components);
  const layout = await new OciLayoutWriter(join(world.dir, `faithful-${version}-${tagArch}`)).init();
  const src = world.source.host;
  const componentRepo = `${src}/${COMPONENT_REPOSITORY}`;
  try {
    const builder = new PayloadBuilder(layout, version, opts.toolBinary ?? defaultToolBinary);
    const built = new Map<string, BuiltImage>();
    for (const arch of arches) for (const [name, repository] of names) await builder.component(name, repository, arch, built);

    // The component images go up in a few lists, a few skopeo runs at a time (a process per image
    // would take minutes). Converting to schema2 renames the images, so their digests are read back
    // from the lists the registry holds. The lists stay tagged `ferry-fixture-bundle-N` in the source:
    // the source's token issuer grants no delete, and nothing in a payload refers to them.
    const order = arches.flatMap((arch) => names.map(([name]) => `${name}/${arch}`));
    const chunks: string[][] = [];
    for (let i = 0; i < order.length; i += BUNDLE_SIZE) chunks.push(order.slice(i, i + BUNDLE_SIZE));
    for (const [i, chunk] of chunks.entries()) layout.tag(`bundle-${i}`, await addIndex(layout, chunk.map((key) => built.get(key)!.descriptor)));
    await layout.save();
    const pushedChunks = await inBatches(
      4,
      chunks.map((_, i) => async () => {
        const ref = `${componentRepo}:${BUNDLE_TAG}-${i}`;
        await pushFromLayout(world, layout, `bundle-${i}`, ref, { all: true, format: 'v2s2' });
        return listChildren(world, ref);
      }),
    );
    const pushedChildren = pushedChunks.flat();
    const imageDigest = new Map(order.map((key, i) => [key, pushedChildren[i]!.digest]));

    const components: FaithfulComponent[] = [];
    if (multi) {
      // One manifest list per component. Its children are already in the registry, so each run only
      // writes the list (and schema2 conversion renames children exactly as it did in the bundle).
      for (const [name] of names) {
        layout.tag(`list/${name}`, await addIndex(layout, arches.map((arch) => built.get(`${name}/${arch}`)!.descriptor)));
      }
      await layout.save();
      const lists = await inBatches(
        3,
        names.map(([name]) => () => pushFromLayout(world, layout, `list/${name}`, `${componentRepo}:list-${name}`, { all: true, format: 'v2s2' })),
      );
      names.forEach(([name], i) => {
        const platforms = Object.fromEntries(arches.map((arch) => [arch, imageDigest.get(`${name}/${arch}`)!]));
        components.push({ name, digest: lists[i]!.digest, mediaType: lists[i]!.mediaType, quayRef: `${QUAY}/${COMPONENT_REPOSITORY}@${lists[i]!.digest}`, platforms });
      });
    } else {
      for (const [name] of names) {
        const digest = imageDigest.get(`${name}/${arches[0]}`)!;
        components.push({ name, digest, mediaType: MEDIA.dockerManifest, quayRef: `${QUAY}/${COMPONENT_REPOSITORY}@${digest}` });
      }
    }

    const repositoryOf = new Map(names);
    const imageStream = imageStreamJson(
      version,
      components.map((c) => ({ name: c.name, repository: repositoryOf.get(c.name) ?? '', quayRef: c.quayRef })),
    );
    const previous = previousVersions(version);
    const url = `https://access.redhat.com/errata/RHSA-2024:${hex(version, 4).replace(/[a-f]/g, '1')}`;
    const metadata = JSON.stringify({ kind: 'cincinnati-metadata-v0', version, previous, metadata: { url } }, null, 2);

    const baseImageDigests: Partial<Record<PayloadArch, string>> = {};
    const releaseImages: Descriptor[] = [];
    for (const arch of arches) {
      const cvoDigest = imageDigest.get(`cluster-version-operator/${arch}`)!;
      baseImageDigests[arch] = cvoDigest;
      releaseImages.push((await builder.releaseImage(built.get(`cluster-version-operator/${arch}`)!, cvoDigest, arch, imageStream, metadata)).descriptor);
    }
    layout.tag('release', multi ? await addIndex(layout, releaseImages) : releaseImages[0]!);
    await layout.save();
    const pullspec = `${src}/${RELEASE_REPOSITORY}:${version}-${tagArch}`;
    const release = await pushFromLayout(world, layout, 'release', pullspec, { all: multi, format: 'v2s2' });

    const blobs = new Map<string, number>();
    await layout.blobsUnder(layout.descriptor('release'), blobs);
    for (const image of built.values()) await layout.blobsUnder(image.descriptor, blobs);
    const manifests = new Set([release.digest, ...components.map((c) => c.digest), ...(multi ? imageDigest.values() : [])]);
    let platforms: Partial<Record<PayloadArch, string>> | undefined;
    if (multi) {
      platforms = {};
      for (const child of await listChildren(world, pullspec)) {
        platforms[child.architecture as PayloadArch] = child.digest;
        manifests.add(child.digest);
      }
    }
    return {
      version,
      arch: tagArch,
      pullspec,
      quayTagged: `${QUAY}/${RELEASE_REPOSITORY}:${version}-${tagArch}`,
      digest: release.digest,
      mediaType: release.mediaType,
      ...(platforms ? { platforms } : {}),
      baseImageDigests,
      components,
      blobs,
      manifests,
      metadata: { previous, url },
      tools: builder.tools,
    };
  } finally {
    await rm(layout.dir, { recursive: true, force: true });
  }
}

