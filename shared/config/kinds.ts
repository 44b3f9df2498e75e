import { caConfigMap } from '../certs/ca-configmap';
import { FerryError } from '../errors';
import { mirrorScope, type MirrorMapping, type MirrorTarget } from '../mirror-mapping';
import { signatureConfigMap, type SignedRelease } from '../signatures/signature-configmap';
import {
  catalogSources,
  clusterCatalogs,
  DEFAULT_OPERATOR_IDMS_NAME,
  DEFAULT_OPERATOR_ITMS_NAME,
  operatorMirrorMappings,
  type MirroredCatalogs,
} from './catalog-resources';
import { buildImageConfig, imageConfig, lintImageConfig, type ImageConfigInput, type LintFinding, type RegistrySources } from './image-config';
import { installConfigSnippet, type SourcesField } from './install-config';
import { imageContentSourcePolicy, imageDigestMirrorSet, imageTagMirrorSet, type MirrorSourcePolicy } from './mirror-sets';
import { policyJson } from './policy-json';
import { registriesConf } from './registries-conf';
import { CONFIG_KIND_IDS, type ConfigKindId } from './kind-ids';

export type { ConfigKindId };

/**
 * Every kind of cluster configuration Ferry generates, in one table: its generator, file name, title,
 * the inputs it needs and the options it takes. The CLI (`ferry config KIND`), the app's
 * `config.generate` handler and the cluster-config screen are all driven by it, so a new kind is
 * added here once. Generators are pure; callers resolve the inputs a kind `needs` (the transfer, the
 * CA, the carried signatures, the mirrored catalogs) and pass them in one `ConfigInput`.
 */


/** Inputs a kind cannot do without; the caller resolves them (and says what is missing in its own words). */
export type ConfigNeed = 'mirror' | 'mappings' | 'ca' | 'signatures' | 'catalogs';
/** Optional inputs a kind takes (the CLI offers the matching flags). */
export type ConfigOption = 'name' | 'sourcePolicy' | 'registrySources' | 'trustedCa' | 'installConfig';

export interface ConfigInput {
  /** The mirror root; policy-json goes without (the lint then skips the mirror's own rule). */
  target?: MirrorTarget;
  /** Source→mirror pairs of the transfer's images, as push wrote them. */
  mappings?: readonly MirrorMapping[];
  name?: string;
  mirrorSourcePolicy?: MirrorSourcePolicy;
  registrySources?: RegistrySources;
  /** PEM of the CA(s) the mirror's certificate chains to. */
  caPem?: string;
  /** image-config: the CA ConfigMap in openshift-config that additionalTrustedCA names. */
  additionalTrustedCA?: string;
  sourcesField?: SourcesField;
  /** install-config: the pull secret JSON, only when handed over explicitly (the result is then a secret). */
  pullSecret?: string;
  /** Every carried release's signatures (one ConfigMap holds them all). */
  signatures?: { releases: SignedRelease[]; warnings?: string[] };
  catalogs?: MirroredCatalogs;
}

export interface ConfigFinding {
  level: 'error' | 'warning';
  message: string;
  path?: string;
}

/** What every kind's generation returns. */
export interface ConfigResult {
  text: string;
  object: unknown;
  fileName: string;
  findings: ConfigFinding[];
  /** The text holds a credential: written with mode 0600, shown masked. */
  secret: boolean;
}

export interface ConfigKind {
  id: ConfigKindId;
  /** What the app shows as the output's heading. */
  title: string;
  /** One line for `ferry config --help`. */
  description: string;
  /** What the CLI says it wrote (`wrote LABEL to FILE`) and `--json` calls `kind`. */
  label: string;
  fileName: string | ((input: ConfigInput) => string);
  needs: readonly ConfigNeed[];
  options: readonly ConfigOption[];
  /** Checks that run before generation; an error refuses the input (see generateConfig). */
  lint?: { subject: string; run: (input: ConfigInput) => LintFinding[] };
  generate: (input: ConfigInput) => { text: string; object: unknown; findings?: ConfigFinding[]; secret?: boolean };
}

/** A need the caller did not resolve is a programming error, not bad input. */
function need<T>(value: T | undefined, what: ConfigNeed, kind: ConfigKindId): T {
  if (value === undefined) throw new FerryError('INTERNAL', `config ${kind} was generated without its ${what} input.`);
  return value;
}

function imageConfigLists(sources: RegistrySources = {}): Pick<ImageConfigInput, 'allowed' | 'blocked' | 'insecure' | 'search'> {
  return {
    ...(sources.allowedRegistries ? { allowed: sources.allowedRegistries } : {}),
    ...(sources.blockedRegistries ? { blocked: sources.blockedRegistries } : {}),
    ...(sources.insecureRegistries ? { insecure: sources.insecureRegistries } : {}),
    ...(sources.containerRuntimeSearchRegistries ? { search: sources.containerRuntimeSearchRegistries } : {}),
  };
}

function lintContext(input: ConfigInput): { mirror?: string } {
  return input.target ? { mirror: mirrorScope(input.target) } : {};
}

/** The node views take the Image CR's lists, so they are linted by its rules, as image-config is. */
const registryListsLint = {
  subject: 'The registry lists',
  run: (input: ConfigInput) => lintImageConfig(buildImageConfig(imageConfigLists(input.registrySources)), lintContext(input)),
};

function mirrorSetOptions(input: ConfigInput, defaultName?: string): { name?: string; mirrorSourcePolicy?: MirrorSourcePolicy } {
  const name = input.name ?? defaultName;
  return { ...(name !== undefined ? { name } : {}), ...(input.mirrorSourcePolicy ? { mirrorSourcePolicy: input.mirrorSourcePolicy } : {}) };
}

function nameOnly(input: ConfigInput): { name?: string } {
  return input.name !== undefined ? { name: input.name } : {};
}

/** Operator images pulled one way; none means the kind has nothing to say for this transfer. */
function operatorMappings(input: ConfigInput, pulledBy: 'digest' | 'tag', kind: ConfigKindId): MirrorMapping[] {
  const mappings = operatorMirrorMappings(need(input.catalogs, 'catalogs', kind).images, pulledBy);
  if (mappings.length === 0) throw notApplicable(`No operator image is pulled by ${pulledBy === 'digest' ? 'digest' : 'tag alone'}, so there is nothing to mirror with this set.`);
  return mappings;
}

/**
 * A kind that does not apply to these inputs (no catalogs in the transfer, no image pulled by tag):
 * bad input for the CLI (exit 2); the app leaves the output out instead of showing an error.
 */
export function notApplicable(message: string, hint?: string): FerryError {
  return new FerryError('INVALID_INPUT', message, { ...(hint ? { hint } : {}), details: { notApplicable: true } });
}

export function isNotApplicable(details: Record<string, unknown> | undefined): boolean {
  return details?.notApplicable === true;
}

/** Keyed by id so the compiler insists on an entry for each; the order of CONFIG_KIND_IDS is the order shown. */
const KINDS: { [K in ConfigKindId]: Omit<ConfigKind, 'id'> } = {
  'idms': {
    title: 'ImageDigestMirrorSet (OpenShift 4.13 and later)',
    description: 'ImageDigestMirrorSet (config.openshift.io/v1) redirecting digest pulls to the mirror',
    label: 'ImageDigestMirrorSet',
    fileName: 'imagedigestmirrorset.yaml',
    needs: ['mappings'],
    options: ['name', 'sourcePolicy'],
    generate: (input) => imageDigestMirrorSet(need(input.mappings, 'mappings', 'idms'), mirrorSetOptions(input)),
  },
  'itms': {
    title: 'ImageTagMirrorSet',
    description: 'ImageTagMirrorSet (config.openshift.io/v1) redirecting tag pulls to the mirror',
    label: 'ImageTagMirrorSet',
    fileName: 'imagetagmirrorset.yaml',
    needs: ['mappings'],
    options: ['name', 'sourcePolicy'],
    generate: (input) => imageTagMirrorSet(need(input.mappings, 'mappings', 'itms'), mirrorSetOptions(input)),
  },
  'icsp': {
    title: 'ImageContentSourcePolicy (older clusters)',
    description: 'legacy ImageContentSourcePolicy (operator.openshift.io/v1alpha1), default name mirror-ocp',
    label: 'ImageContentSourcePolicy',
    fileName: 'imagecontentsourcepolicy.yaml',
    needs: ['mappings'],
    options: ['name'],
    generate: (input) => imageContentSourcePolicy(need(input.mappings, 'mappings', 'icsp'), nameOnly(input)),
  },
  'install-config': {
    title: 'install-config.yaml snippet',
    description: 'install-config.yaml snippet: additionalTrustBundle (from --ca-file) and imageDigestSources/imageContentSources',
    label: 'install-config',
    fileName: 'install-config-mirror.yaml',
    needs: ['mappings'],
    options: ['installConfig'],
    generate: (input) => ({
      ...installConfigSnippet(need(input.mappings, 'mappings', 'install-config'), {
        ...(input.sourcesField ? { field: input.sourcesField } : {}),
        ...(input.caPem !== undefined ? { caPem: input.caPem } : {}),
        ...(input.pullSecret !== undefined ? { pullSecret: input.pullSecret } : {}),
      }),
      // A snippet holding the pull secret is itself a secret.
      secret: input.pullSecret !== undefined,
    }),
  },
  'image-config': {
    title: 'image.config.openshift.io/cluster',
    description: 'image.config.openshift.io/cluster CR (registrySources, additionalTrustedCA, allowedRegistriesForImport), linted',
    label: 'Image',
    fileName: 'image-config.yaml',
    needs: ['mirror'],
    options: ['registrySources', 'trustedCa'],
    lint: { subject: 'The image.config CR', run: (input) => lintImageConfig(buildImageConfig(imageConfigInput(input)), lintContext(input)) },
    generate: (input) => {
      const { text, object } = imageConfig(imageConfigInput(input), lintContext(input));
      return { text, object };
    },
  },
  'ca-configmap': {
    title: 'CA ConfigMap for additionalTrustedCA',
    description: 'ConfigMap in openshift-config for image.config.openshift.io/cluster additionalTrustedCA (keys host..port) and the oc commands',
    label: 'ConfigMap',
    fileName: 'ca-configmap.yaml',
    needs: ['mirror', 'ca'],
    options: ['name'],
    generate: (input) => {
      const cm = caConfigMap([{ registry: need(input.target, 'mirror', 'ca-configmap').registry, pem: need(input.caPem, 'ca', 'ca-configmap') }], input.name);
      return { text: cm.yaml, object: cm.object };
    },
  },
  'signature-configmap': {
    title: 'Release signature ConfigMap (lets the cluster-version operator verify the release)',
    description: 'ConfigMap in openshift-config-managed holding a release signature for the cluster-version operator',
    label: 'ConfigMap',
    // oc adm release mirror --release-image-signature-to-dir names it signature-sha256-<first 16 hex>.json (JSON; this is the same object as YAML).
    fileName: (input) => {
      const releases = need(input.signatures, 'signatures', 'signature-configmap').releases;
      return releases.length === 1 ? `signature-${releases[0]!.digest.replace(':', '-').slice(0, 'sha256-'.length + 16)}.yaml` : 'signature-configmap.yaml';
    },
    needs: ['signatures'],
    options: ['name'],
    generate: (input) => {
      const carried = need(input.signatures, 'signatures', 'signature-configmap');
      const cm = signatureConfigMap(carried.releases, input.name);
      return { text: cm.yaml, object: cm.object, findings: (carried.warnings ?? []).map((message) => ({ level: 'warning' as const, message })) };
    },
  },
  'registries-conf': {
    title: 'registries.conf a node will get',
    description: 'node view: the /etc/containers/registries.conf the MCO renders from the mirror sets and registrySources',
    label: 'registries.conf',
    fileName: 'registries.conf',
    needs: ['mappings'],
    options: ['sourcePolicy', 'registrySources'],
    lint: registryListsLint,
    generate: (input) => {
      const policy = input.mirrorSourcePolicy;
      const digestMirrors = need(input.mappings, 'mappings', 'registries-conf').map((m) => ({ ...m, ...(policy ? { mirrorSourcePolicy: policy } : {}) }));
      return registriesConf({ digestMirrors, registrySources: input.registrySources ?? {} });
    },
  },
  'policy-json': {
    title: 'policy.json a node will get',
    description: 'node view: the /etc/containers/policy.json the MCO renders from allowed/blocked registries',
    label: 'policy.json',
    fileName: 'policy.json',
    needs: [],
    options: ['registrySources'],
    lint: registryListsLint,
    generate: (input) => policyJson(input.registrySources ?? {}),
  },
  'catalog-source': {
    title: 'CatalogSource for the mirrored operator catalog (OLM)',
    description: 'CatalogSource (operators.coreos.com/v1alpha1, grpc) per filtered operator catalog in the mirror, named as oc-mirror names it',
    label: 'CatalogSource',
    fileName: 'catalogsource.yaml',
    needs: ['mirror', 'catalogs'],
    options: [],
    generate: (input) => catalogSources(need(input.catalogs, 'catalogs', 'catalog-source')),
  },
  'cluster-catalog': {
    title: 'ClusterCatalog for the mirrored operator catalog (OLM v1)',
    description: 'ClusterCatalog (olm.operatorframework.io/v1, source type Image) per filtered operator catalog in the mirror',
    label: 'ClusterCatalog',
    fileName: 'clustercatalog.yaml',
    needs: ['mirror', 'catalogs'],
    options: [],
    generate: (input) => clusterCatalogs(need(input.catalogs, 'catalogs', 'cluster-catalog')),
  },
  'catalog-idms': {
    title: 'Operator bundles and operands by digest (IDMS)',
    description: `ImageDigestMirrorSet for the operator bundles and operand images pulled by digest (default name ${DEFAULT_OPERATOR_IDMS_NAME})`,
    label: 'ImageDigestMirrorSet',
    fileName: 'imagedigestmirrorset-operators.yaml',
    needs: ['mirror', 'catalogs'],
    options: ['name', 'sourcePolicy'],
    generate: (input) => imageDigestMirrorSet(operatorMappings(input, 'digest', 'catalog-idms'), mirrorSetOptions(input, DEFAULT_OPERATOR_IDMS_NAME)),
  },
  'catalog-itms': {
    title: 'Operator images by tag (ITMS)',
    description: `ImageTagMirrorSet for the operator images referenced by tag alone (default name ${DEFAULT_OPERATOR_ITMS_NAME})`,
    label: 'ImageTagMirrorSet',
    fileName: 'imagetagmirrorset-operators.yaml',
    needs: ['mirror', 'catalogs'],
    options: ['name', 'sourcePolicy'],
    generate: (input) => imageTagMirrorSet(operatorMappings(input, 'tag', 'catalog-itms'), mirrorSetOptions(input, DEFAULT_OPERATOR_ITMS_NAME)),
  },
};

function imageConfigInput(input: ConfigInput): ImageConfigInput {
  const target = need(input.target, 'mirror', 'image-config');
  return {
    ...imageConfigLists(input.registrySources),
    ...(input.additionalTrustedCA !== undefined ? { additionalTrustedCA: input.additionalTrustedCA } : {}),
    allowedRegistriesForImport: [{ domainName: target.registry, insecure: false }],
  };
}

export const CONFIG_KINDS: ReadonlyMap<ConfigKindId, ConfigKind> = new Map(CONFIG_KIND_IDS.map((id) => [id, { id, ...KINDS[id] }]));

export function configKind(id: ConfigKindId): ConfigKind {
  return CONFIG_KINDS.get(id)!;
}

/** Error findings refuse the input, every one named with its path; nothing is generated. */
export function refuseErrorFindings(findings: readonly ConfigFinding[], subject: string): void {
  const errors = findings.filter((f) => f.level === 'error');
  if (errors.length === 0) return;
  throw new FerryError('INVALID_INPUT', `${subject} has ${errors.length} error(s): ${errors.map((f) => `${f.path ? `${f.path}: ` : ''}${f.message}`).join(' ')}`, {
    hint: 'Fix the listed problems; nothing was written.',
    details: { findings: findings.map((f) => ({ ...f })) },
  });
}

/**
 * Lints, refuses on an error finding, then generates. `onFindings` sees the lint's findings before
 * any refusal (the CLI prints them, errors included).
 */
export function generateConfig(kind: ConfigKind, input: ConfigInput, onFindings?: (findings: readonly LintFinding[]) => void): ConfigResult {
  const linted = kind.lint?.run(input) ?? [];
  onFindings?.(linted);
  if (kind.lint) refuseErrorFindings(linted, kind.lint.subject);
  const generated = kind.generate(input);
  return {
    text: generated.text,
    object: generated.object,
    fileName: typeof kind.fileName === 'string' ? kind.fileName : kind.fileName(input),
    findings: [...linted, ...(generated.findings ?? [])],
    secret: generated.secret ?? false,
  };
}
