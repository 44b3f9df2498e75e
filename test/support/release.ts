import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { keystream } from './bytes';
import { clientBinary, type BinaryFormat, type ClientBinary } from './installer-binary';
import { addImage, addIndex, addLayer, whiteout, type BuiltLayer, type LayerEntry } from './layers';
import { OciLayoutWriter } from './oci-layout';
import { inBatches, pushFromLayout } from './push';
import type { TestWorld } from './world';

export type ReleaseVersion = '4.15.3' | '4.15.4' | '4.15.5';

export interface FixtureRelease {
  version: string;
  arch: 'x86_64';
  /** "127.0.0.1:SRC/openshift-release-dev/ocp-release:4.15.3-x86_64" */
  pullspec: string;
  /** Release image manifest digest. */
  digest: string;
  /** "quay.io/openshift-release-dev/ocp-release@sha256:..." — the name clusters know. */
  quayPullspec: string;
  components: Array<{ name: string; digest: string; quayRef: string; mediaType: string }>;
  installer: { name: 'installer'; digest: string; binary: ClientBinary };
  /** Every client binary of the release by `COMPONENT:PATH` (installer, installer-artifacts, cli, cli-artifacts). */
  binaries: Map<string, ClientBinary>;
  /** Every unique blob (layers and configs, all platforms, release image included) -> size. */
  blobs: Map<string, number>;
  /** Components whose content differs between 4.15.3 and 4.15.4 (for 4.15.5: between 4.15.4 and 4.15.5). */
  changed: string[];
}

export const RELEASE_REPOSITORY = 'openshift-release-dev/ocp-release';
export const COMPONENT_REPOSITORY = 'openshift-release-dev/ocp-v4.0-art-dev';
const QUAY = 'quay.io';

/** Two dozen components named like a real payload's; the client images (CLIENTS) and `pod` are built specially. */
const COMPONENTS = [
  'cluster-version-operator', 'cli', 'cli-artifacts', 'installer', 'installer-artifacts', 'machine-config-operator', 'etcd', 'hyperkube',
  'oauth-server', 'console', 'console-operator', 'cluster-network-operator', 'ovn-kubernetes', 'coredns',
  'haproxy-router', 'cluster-ingress-operator', 'cluster-monitoring-operator', 'prometheus',
  'prometheus-alertmanager', 'thanos', 'kube-rbac-proxy', 'cluster-authentication-operator',
  'cluster-image-registry-operator', 'docker-registry', 'must-gather', 'tools', 'pod',
] as const;

/** What 4.15.4 changes relative to 4.15.3: new layers in these, everything else byte-identical. */
const CHANGED_IN_4_15_4 = ['cluster-version-operator', 'machine-config-operator', 'console', 'installer'];
/** What 4.15.5 changes relative to 4.15.4, as the next z-stream of an upgrade path would. */
const CHANGED_IN_4_15_5 = ['cluster-version-operator', 'etcd', 'installer'];
/** Names 4.15.5's image-references give an unchanged image that earlier releases name otherwise (same digest). */
const RENAMED_IN_4_15_5: Record<string, string> = { 'docker-registry': 'image-registry' };

/** The multi-arch component (an OCI index); the release stays x86_64, as payloads for heterogeneous clusters do. */
const INDEX_COMPONENT = 'pod';
const INDEX_ARCHES = ['amd64', 'arm64', 'ppc64le'] as const;

const PREVIOUS: Record<ReleaseVersion, string[]> = {
  '4.15.3': ['4.14.12', '4.15.0', '4.15.1', '4.15.2'],
  '4.15.4': ['4.14.12', '4.15.0', '4.15.1', '4.15.2', '4.15.3'],
  '4.15.5': ['4.15.0', '4.15.1', '4.15.2', '4.15.3', '4.15.4'],
};

/**
 * The client binaries and where they sit, as openshift/oc pkg/cli/admin/release/extract_tools.go looks
 * for them. Linux binaries of the payload's architecture run (`version`); the others carry only the magic.
 * The installer is built per release (it changes in 4.15.4); the others are the same build in both.
 */
type Client = { command: 'openshift-install' | 'oc'; path: string; format: BinaryFormat };
const CLIENTS: Record<string, Client[]> = {
  installer: [{ command: 'openshift-install', path: 'usr/bin/openshift-install', format: 'script' }],
  'installer-artifacts': [
    { command: 'openshift-install', path: 'usr/share/openshift/mac/openshift-install', format: 'macho' },
    { command: 'openshift-install', path: 'usr/share/openshift/mac_arm64/openshift-install', format: 'macho' },
    { command: 'openshift-install', path: 'usr/share/openshift/linux_amd64/openshift-install', format: 'script' },
    { command: 'openshift-install', path: 'usr/share/openshift/linux_arm64/openshift-install', format: 'elf' },
  ],
  cli: [{ command: 'oc', path: 'usr/bin/oc', format: 'script' }],
  'cli-artifacts': [
    { command: 'oc', path: 'usr/share/openshift/mac/oc', format: 'macho' },
    { command: 'oc', path: 'usr/share/openshift/mac_arm64/oc', format: 'macho' },
    { command: 'oc', path: 'usr/share/openshift/linux_amd64/oc', format: 'script' },
    { command: 'oc', path: 'usr/share/openshift/linux_arm64/oc', format: 'elf' },
    { command: 'oc', path: 'usr/share/openshift/linux_ppc64le/oc', format: 'elf' },
    { command: 'oc', path: 'usr/share/openshift/windows/oc.exe', format: 'pe' },
  ],
};

function clientBinaries(version: ReleaseVersion): Map<string, ClientBinary> {
  const out = new Map<string, ClientBinary>();
  for (const [component, clients] of Object.entries(CLIENTS)) {
    for (const c of clients) out.set(`${component}:${c.path}`, clientBinary({ command: c.command, format: c.format, build: component === 'installer' ? `v${version}` : 'v4.15.0' }));
  }
  return out;
}

class ReleaseBuilder {
  private readonly shared = new Map<string, Promise<BuiltLayer>>();
  readonly binaries: Map<string, ClientBinary>;

  constructor(
    private readonly layout: OciLayoutWriter,
    private readonly version: ReleaseVersion,
    private readonly layerBytes: number,
  ) {
    this.binaries = clientBinaries(version);
  }

  /** A layer of one incompressible file; the same seed always gives the same blob. */
  private blobLayer(seed: string, path: string, extra: LayerEntry[] = []): Promise<BuiltLayer> {
    const size = this.layerBytes;
    // gzip level 1: the payload is incompressible anyway, and big benchmark layers should build fast.
    return addLayer(this.layout, [...extra, { path, content: { size, stream: () => keystream(seed, size) } }], { level: 1 });
  }

  /** Base layers are built once per layout and shared by every image that uses them. */
  private sharedLayer(seed: string, path: string): Promise<BuiltLayer> {
    let layer = this.shared.get(seed);
    if (!layer) {
      layer = this.blobLayer(seed, path);
      this.shared.set(seed, layer);
    }
    return layer;
  }

  /** A component's content is that of the last release that changed it. */
  private seedFor(name: string): string {
    if (this.version === '4.15.5' && CHANGED_IN_4_15_5.includes(name)) return `${name}@4.15.5`;
    return this.version !== '4.15.3' && CHANGED_IN_4_15_4.includes(name) ? `${name}@4.15.4` : name;
  }

  async component(name: string): Promise<void> {
    const base = await this.sharedLayer('rhel-base', 'usr/lib/rhel-base.bin');
    const layers = [base];
    if (name.endsWith('-operator')) layers.push(await this.sharedLayer('operator-base', 'usr/lib/operator-base.bin'));
    const labels = { 'io.openshift.build.component': name };
    if (name === INDEX_COMPONENT) {
      const children = [];
      for (const arch of INDEX_ARCHES) {
        const own = await this.blobLayer(`${this.seedFor(name)}/${arch}`, `usr/bin/${name}`);
        children.push(await addImage(this.layout, { layers: [base, own], labels, platform: { os: 'linux', architecture: arch } }));
      }
      this.layout.tag(name, await addIndex(this.layout, children));
      return;
    }
    if (name === 'installer') {
      layers.push(...(await this.installerLayers()));
    } else if (CLIENTS[name]) {
      layers.push(await this.clientLayer(name));
    } else {
      layers.push(await this.blobLayer(this.seedFor(name), `usr/bin/${name}`));
    }
    this.layout.tag(name, await addImage(this.layout, { layers, labels, cmd: [`/usr/bin/${name}`] }));
  }

  private clientLayer(name: string): Promise<BuiltLayer> {
    const dirs = new Set<string>();
    const entries: LayerEntry[] = [];
    for (const c of CLIENTS[name]!) {
      const parts = c.path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
      entries.push({ path: c.path, content: this.binaries.get(`${name}:${c.path}`)!.bytes, mode: 0o755 });
    }
    return addLayer(this.layout, [...[...dirs].sort().map((path) => ({ path, type: 'directory' as const })), ...entries]);
  }

  /**
   * An old openshift-install and a note in one layer, whiteouts for both in the next, the real binary
   * in the last: only an extraction that applies layers in order (and honours whiteouts) gets it right.
   */
  private async installerLayers(): Promise<BuiltLayer[]> {
    const stale = await addLayer(this.layout, [
      { path: 'usr/bin/', type: 'directory' },
      { path: 'usr/bin/openshift-install', content: clientBinary({ command: 'openshift-install', format: 'script', build: 'v4.14.0-stale' }).bytes, mode: 0o755 },
      { path: 'usr/share/openshift/', type: 'directory' },
      { path: 'usr/share/openshift/stale-notes.txt', content: 'superseded by a later layer\n' },
    ]);
    const removal = await addLayer(this.layout, [
      { path: whiteout('usr/bin/openshift-install'), content: '' },
      { path: whiteout('usr/share/openshift/stale-notes.txt'), content: '' },
    ]);
    const current = await this.blobLayer(this.seedFor('installer'), 'usr/share/openshift/installer-data.bin', [
      { path: 'usr/bin/openshift-install', content: this.binaries.get('installer:usr/bin/openshift-install')!.bytes, mode: 0o755 },
    ]);
    return [stale, removal, current];
  }

  async releaseImage(components: Array<{ name: string; quayRef: string }>): Promise<void> {
    const imageReferences = {
      kind: 'ImageStream',
      apiVersion: 'image.openshift.io/v1',
      metadata: { name: this.version, creationTimestamp: null },
      spec: {
        lookupPolicy: { local: false },
        tags: components.map((c) => ({
          name: c.name,
          annotations: { 'io.openshift.build.source-location': `https://github.com/openshift/${c.name}` },
          from: { kind: 'DockerImage', name: c.quayRef },
          generation: null,
          importPolicy: {},
          referencePolicy: { type: '' },
        })),
      },
      status: { dockerImageRepository: '' },
    };
    const metadata = {
      kind: 'cincinnati-metadata-v0',
      version: this.version,
      previous: PREVIOUS[this.version],
      metadata: {
        url: `https://access.redhat.com/errata/RHBA-2024:${this.version.replace(/\./g, '')}`,
        'io.openshift.upgrades.graph.release.channels': 'candidate-4.15,eus-4.16,fast-4.15,stable-4.15',
      },
    };
    const manifests = await addLayer(this.layout, [
      { path: 'release-manifests/', type: 'directory' },
      { path: 'release-manifests/image-references', content: `${JSON.stringify(imageReferences, null, 2)}\n` },
      { path: 'release-manifests/release-metadata', content: `${JSON.stringify(metadata, null, 2)}\n` },
      {
        path: 'release-manifests/0000_00_cluster-version-operator_00_namespace.yaml',
        content: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: openshift-cluster-version\n',
      },
    ]);
    const base = await this.sharedLayer('rhel-base', 'usr/lib/rhel-base.bin');
    this.layout.tag(
      'release',
      await addImage(this.layout, {
        layers: [base, manifests],
        labels: { 'io.openshift.release': this.version },
        cmd: ['/usr/bin/cluster-version-operator'],
      }),
    );
  }
}

/**
 * Builds a synthetic OpenShift release and pushes it with real skopeo into the source registry:
 * components by digest under `openshift-release-dev/ocp-v4.0-art-dev` (throwaway tags `c-NAME-VERSION`,
 * even-numbered ones converted to Docker schema2), then the release image
 * `openshift-release-dev/ocp-release:VERSION-x86_64` (schema2) whose image-references name them on quay.io.
 * `layerBytes` (default 24 KiB) sizes every non-trivial layer; make it tens of MiB for benchmarks.
 */
export async function pushRelease(
  world: TestWorld,
  version: ReleaseVersion,
  opts: { layerBytes?: number } = {},
): Promise<FixtureRelease> {
  const layout = await new OciLayoutWriter(join(world.dir, `release-${version}`)).init();
  try {
    const builder = new ReleaseBuilder(layout, version, opts.layerBytes ?? 24 * 1024);
    for (const name of COMPONENTS) await builder.component(name);
    await layout.save();

    const src = world.source.host;
    const componentRepo = `${src}/${COMPONENT_REPOSITORY}`;
    const pushed = await inBatches(
      3,
      COMPONENTS.map((name, i) => () => {
        const format = name !== INDEX_COMPONENT && i % 2 === 0 ? { format: 'v2s2' as const } : {};
        return pushFromLayout(world, layout, name, `${componentRepo}:c-${name}-${version}`, { ...format, all: name === INDEX_COMPONENT });
      }),
    );
    const components = COMPONENTS.map((name, i) => ({
      name: (version === '4.15.5' && RENAMED_IN_4_15_5[name]) || name,
      digest: pushed[i]!.digest,
      quayRef: `${QUAY}/${COMPONENT_REPOSITORY}@${pushed[i]!.digest}`,
      mediaType: pushed[i]!.mediaType,
    }));

    await builder.releaseImage(components);
    await layout.save();
    const pullspec = `${src}/${RELEASE_REPOSITORY}:${version}-x86_64`;
    const release = await pushFromLayout(world, layout, 'release', pullspec, { format: 'v2s2' });

    // Converting to schema2 rewrites manifests only: config and layer blobs are the layout's.
    const blobs = new Map<string, number>();
    for (const name of ['release', ...COMPONENTS]) await layout.blobsUnder(layout.descriptor(name), blobs);

    const installer = components.find((c) => c.name === 'installer')!;
    return {
      version,
      arch: 'x86_64',
      pullspec,
      digest: release.digest,
      quayPullspec: `${QUAY}/${RELEASE_REPOSITORY}@${release.digest}`,
      components,
      installer: { name: 'installer', digest: installer.digest, binary: builder.binaries.get('installer:usr/bin/openshift-install')! },
      binaries: builder.binaries,
      blobs,
      changed: [...(version === '4.15.5' ? CHANGED_IN_4_15_5 : CHANGED_IN_4_15_4)],
    };
  } finally {
    await rm(layout.dir, { recursive: true, force: true });
  }
}
