import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { FerryError } from '../errors';
import type { ImageSetConfig } from './schema';

export type { ImageSetConfig, OperatorPackageSpec, ReleaseChannelSpec } from './schema';

/**
 * An oc-mirror v2 `ImageSetConfiguration` (apiVersion mirror.openshift.io/v2alpha1), read as teams keep it in
 * git. The fields and their meaning are oc-mirror's (internal/pkg/api/v2alpha1/type_config.go,
 * type_platform.go, type_config_include.go). Every field Ferry does not carry out is refused with its path
 * and line, never ignored: a mirror that silently lacks what the file asked for is found out at the
 * disconnected site, too late.
 */
export const IMAGESET_API_VERSION = 'mirror.openshift.io/v2alpha1';
export const IMAGESET_KIND = 'ImageSetConfiguration';

type OperatorBundleRange = { minVersion?: string; maxVersion?: string };

/** What each mapping may hold: a field Ferry carries out, or `refused` with why (unknown keys are refused too). */
type Field = { kind: 'string' | 'bool' | 'int' } | { kind: 'map'; fields: Fields } | { kind: 'list'; of: Field } | { kind: 'refused'; why: string };
type Fields = Record<string, Field & { required?: boolean }>;

const str = { kind: 'string' } as const;
const bool = { kind: 'bool' } as const;
const refused = (why: string) => ({ kind: 'refused', why }) as const;
const platformFilter = refused('per-image platform filters are not supported: Ferry carries every platform of an image index, or the architectures under platform.architectures');
const bundleRange: Fields = { minVersion: str, maxVersion: str, minBundle: refused('minBundle is not supported: give minVersion') };

const SCHEMA: Fields = {
  apiVersion: { ...str, required: true },
  kind: { ...str, required: true },
  archiveSize: { kind: 'int' },
  storageConfig: refused('storageConfig belongs to oc-mirror v1 (metadata in a registry or local directory); Ferry keeps its state in transfer.json and receipt.json'),
  mirror: {
    kind: 'map',
    required: true,
    fields: {
      platform: {
        kind: 'map',
        fields: {
          channels: { kind: 'list', of: { kind: 'map', fields: { name: { ...str, required: true }, type: str, minVersion: str, maxVersion: str, shortestPath: bool, full: bool } } },
          architectures: { kind: 'list', of: str },
          graph: bool,
          release: str,
          platforms: platformFilter,
          kubeVirtContainer: refused('kubeVirtContainer (the KubeVirt boot image) is not supported'),
        },
      },
      operators: {
        kind: 'list',
        of: {
          kind: 'map',
          fields: {
            catalog: { ...str, required: true },
            packages: {
              required: true,
              kind: 'list',
              of: { kind: 'map', fields: { name: { ...str, required: true }, defaultChannel: refused('defaultChannel is not supported: the filtered catalog keeps the package\'s default channel when it is selected, else the kept channel with the newest head'), ...bundleRange, channels: { kind: 'list', of: { kind: 'map', fields: { name: { ...str, required: true }, ...bundleRange } } } } },
            },
            full: refused('full is not supported: Ferry carries the packages selected under packages, never a whole catalog'),
            skipDependencies: bool,
            targetCatalog: refused('targetCatalog is not supported: the filtered catalog keeps the source repository under the mirror namespace'),
            targetTag: refused('targetTag is not supported: the filtered catalog keeps the source tag'),
            targetCatalogSourceTemplate: refused('targetCatalogSourceTemplate is not supported'),
            platforms: platformFilter,
          },
        },
      },
      additionalImages: {
        kind: 'list',
        of: {
          kind: 'map',
          fields: {
            name: { ...str, required: true },
            targetRepo: refused('targetRepo is not supported: an additional image keeps its repository path under the mirror namespace'),
            targetTag: refused('targetTag is not supported: an additional image keeps its tag'),
            platforms: platformFilter,
          },
        },
      },
      blockedImages: { kind: 'list', of: { kind: 'map', fields: { name: { ...str, required: true } } } },
      helm: refused('Helm charts are not supported'),
      samples: refused('samples are not supported'),
    },
  },
};

class Located {
  constructor(
    private readonly lines: LineCounter,
    private readonly source: string,
  ) {}

  fail(node: Node | null | undefined, path: string, message: string, hint: string): never {
    const at = node?.range ? this.lines.linePos(node.range[0]) : undefined;
    throw new FerryError('INVALID_INPUT', `${this.source}${at ? `:${at.line}:${at.col}` : ''}: ${path ? `${path}: ` : ''}${message}`, { hint, details: { path, ...(at ? { line: at.line, column: at.col } : {}) } });
  }
}

const SUPPORTED_HINT = 'See the ImageSetConfiguration table in Ferry\'s README for what is supported; remove the field or run oc-mirror for it.';

/** Checks `node` against `field` and returns it as plain data. */
function read(node: Node | null | undefined, field: Field, path: string, at: Located): unknown {
  switch (field.kind) {
    case 'refused':
      return at.fail(node, path, `${field.why}.`, SUPPORTED_HINT);
    case 'string':
      if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') at.fail(node, path, 'expected a non-empty string.', 'Quote the value if YAML reads it as a number or boolean.');
      return (node.value as string).trim();
    case 'bool':
      if (!isScalar(node) || typeof node.value !== 'boolean') at.fail(node, path, 'expected true or false.', 'Write true or false, without quotes.');
      return node.value;
    case 'int':
      if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value) || node.value <= 0) at.fail(node, path, 'expected a positive whole number.', 'archiveSize is in GiB, e.g. 4.');
      return node.value;
    case 'list':
      if (!isSeq(node)) return at.fail(node, path, 'expected a list.', 'Start each entry with "- ".');
      return node.items.map((item, i) => read(item as Node, field.of, `${path}[${i}]`, at));
    case 'map': {
      if (!isMap(node)) return at.fail(node, path, 'expected a mapping of fields.', 'Indent the fields under this key.');
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        const where = path ? `${path}.${key}` : key;
        const spec = field.fields[key];
        if (!spec) at.fail(pair.key as Node, where, `unknown field "${key}" for ${path || 'the top level'} of an ImageSetConfiguration.`, SUPPORTED_HINT);
        // A refused field is named where its key is, whatever its value.
        out[key] = read((spec.kind === 'refused' ? pair.key : pair.value) as Node, spec, where, at);
      }
      for (const [key, spec] of Object.entries(field.fields)) {
        if ('required' in spec && spec.required && !(key in out)) at.fail(node, path ? `${path}.${key}` : key, 'is required.', `Add ${key}.`);
      }
      return out;
    }
  }
}

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the shape was checked by read()

/** Parses an ImageSetConfiguration; INVALID_INPUT naming the file, line, column and field path on any problem. */
export function parseImageSetConfig(text: string, source: string): ImageSetConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = new Located(lines, source);
  const problem = doc.errors[0];
  if (problem) {
    const pos = problem.linePos?.[0];
    throw new FerryError('INVALID_INPUT', `${source}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${problem.message.split('\n')[0]}`, {
      hint: 'Fix the YAML syntax (indentation, a missing colon or quote) and try again.',
      ...(pos ? { details: { line: pos.line, column: pos.col } } : {}),
    });
  }
  const root = read(doc.contents as Node, { kind: 'map', fields: SCHEMA }, '', at) as Raw;
  if (root.apiVersion !== IMAGESET_API_VERSION || root.kind !== IMAGESET_KIND) {
    const node = (doc.contents as { get(k: string, keep: true): Node }).get(root.apiVersion !== IMAGESET_API_VERSION ? 'apiVersion' : 'kind', true);
    at.fail(node, root.apiVersion !== IMAGESET_API_VERSION ? 'apiVersion' : 'kind', `expected apiVersion ${IMAGESET_API_VERSION} and kind ${IMAGESET_KIND}.`, 'Ferry reads oc-mirror v2 configurations; a v1 (v1alpha2) file needs converting to v2alpha1 first, as oc-mirror v2 itself requires.');
  }
  const mirror = root.mirror as Raw;
  const platform = mirror.platform as Raw | undefined;
  for (const [i, ch] of ((platform?.channels ?? []) as Raw[]).entries()) {
    if (ch.type !== undefined && ch.type !== 'ocp') {
      const node = doc.getIn(['mirror', 'platform', 'channels', i, 'type'], true) as Node;
      at.fail(node, `mirror.platform.channels[${i}].type`, `type ${String(ch.type)} is not supported: Ferry carries OpenShift (ocp) releases.`, SUPPORTED_HINT);
    }
  }
  if (platform?.graph === true) {
    at.fail(doc.getIn(['mirror', 'platform', 'graph'], true) as Node, 'mirror.platform.graph', 'graph: true (the graph-data image for the OpenShift Update Service) is not carried yet.', SUPPORTED_HINT);
  }
  for (const [i, o] of ((mirror.operators ?? []) as Raw[]).entries()) {
    if (((o.packages ?? []) as Raw[]).length === 0) {
      at.fail(doc.getIn(['mirror', 'operators', i, 'packages'], true) as Node, `mirror.operators[${i}].packages`, 'list at least one package: Ferry carries the packages selected, never a whole catalog.', 'Add the operators the cluster needs under packages.');
    }
  }
  if ((mirror.blockedImages as Raw[] | undefined)?.length && (mirror.operators as Raw[] | undefined)?.length) {
    at.fail(doc.getIn(['mirror', 'blockedImages'], true) as Node, 'mirror.blockedImages', 'blockedImages together with operators is not supported: a bundle whose related image is blocked could not be installed.', 'Leave the image out of the operator selection instead, or remove blockedImages.');
  }
  // oc-mirror matches blocked images as (unanchored) regular expressions against each image's name.
  for (const [i, b] of ((mirror.blockedImages ?? []) as Raw[]).entries()) {
    try {
      new RegExp(b.name as string);
    } catch (e) {
      at.fail(doc.getIn(['mirror', 'blockedImages', i, 'name'], true) as Node, `mirror.blockedImages[${i}].name`, `not a valid regular expression: ${(e as Error).message}.`, 'blockedImages names are regular expressions matched against image references, as oc-mirror reads them; escape special characters.');
    }
  }
  const range = (r: Raw): OperatorBundleRange => ({ ...(r.minVersion ? { minVersion: r.minVersion as string } : {}), ...(r.maxVersion ? { maxVersion: r.maxVersion as string } : {}) });
  return {
    ...(root.archiveSize ? { archiveSizeGiB: root.archiveSize as number } : {}),
    ...(platform
      ? {
          platform: {
            channels: ((platform.channels ?? []) as Raw[]).map((c) => ({ name: c.name as string, ...range(c), shortestPath: c.shortestPath === true, full: c.full === true })),
            architectures: (platform.architectures ?? []) as string[],
            ...(platform.release ? { release: platform.release as string } : {}),
          },
        }
      : {}),
    operators: ((mirror.operators ?? []) as Raw[]).map((o) => ({
      catalog: o.catalog as string,
      packages: ((o.packages ?? []) as Raw[]).map((p) => ({
        name: p.name as string,
        ...range(p),
        channels: ((p.channels ?? []) as Raw[]).map((c) => ({ name: c.name as string, ...range(c) })),
      })),
      skipDependencies: o.skipDependencies === true,
    })),
    additionalImages: ((mirror.additionalImages ?? []) as Raw[]).map((i) => i.name as string),
    blockedImages: ((mirror.blockedImages ?? []) as Raw[]).map((i) => i.name as string),
  };
}
