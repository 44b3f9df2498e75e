import { COMPONENT_SOURCE, RELEASE_REPOSITORY, RELEASE_SOURCE, mirrorRepositoryFor, parseMirrorTarget } from '../mirror-mapping';
import { repositoryName } from '../reference';
import { imageConfigViolations } from './api-rules';
import { refuseViolations } from './rules';
import { INTERNAL_REGISTRY, scopeIsNestedInsideScope } from './scope';
import { toYaml, type Generated } from './yaml';

/**
 * The `image.config.openshift.io/cluster` CR (seed 002) and its lint. The lint encodes the rules
 * the docs state in prose and operators learn the hard way: allowed and blocked lists exclude each
 * other; an allowed list blocks everything else, so it must keep the registries the payload needs;
 * those registries must never be blocked.
 */

export interface RegistrySources {
  allowedRegistries?: string[];
  blockedRegistries?: string[];
  insecureRegistries?: string[];
  containerRuntimeSearchRegistries?: string[];
}

export interface ImageConfigSpec {
  allowedRegistriesForImport?: Array<{ domainName: string; insecure: boolean }>;
  additionalTrustedCA?: { name: string };
  registrySources?: RegistrySources;
}

export interface ImageConfig {
  apiVersion: 'config.openshift.io/v1';
  kind: 'Image';
  metadata: { name: 'cluster' };
  spec: ImageConfigSpec;
}

export interface ImageConfigInput {
  /** Trust ConfigMap in openshift-config (keys `host..port`). */
  additionalTrustedCA?: string;
  /** Registries users may import image streams from; the mirror is usually one. */
  allowedRegistriesForImport?: Array<{ domainName: string; insecure?: boolean }>;
  allowed?: string[];
  blocked?: string[];
  insecure?: string[];
  search?: string[];
}

export interface LintFinding {
  level: 'error' | 'warning';
  /** Field path in the CR, e.g. `spec.registrySources.allowedRegistries`. */
  path: string;
  message: string;
}

export interface LintContext {
  /** The mirror registry or namespace (`HOST:PORT[/NS]`) the cluster pulls from. */
  mirror?: string;
}

function nonEmpty(list: string[] | undefined): list is string[] {
  return list !== undefined && list.length > 0;
}

export function buildImageConfig(input: ImageConfigInput): ImageConfig {
  const spec: ImageConfigSpec = {};
  if (input.allowedRegistriesForImport?.length) {
    spec.allowedRegistriesForImport = input.allowedRegistriesForImport.map((r) => ({ domainName: r.domainName, insecure: r.insecure ?? false }));
  }
  if (input.additionalTrustedCA) spec.additionalTrustedCA = { name: input.additionalTrustedCA };
  const sources: RegistrySources = {};
  if (nonEmpty(input.search)) sources.containerRuntimeSearchRegistries = [...input.search];
  if (nonEmpty(input.allowed)) sources.allowedRegistries = [...input.allowed];
  if (nonEmpty(input.blocked)) sources.blockedRegistries = [...input.blocked];
  if (nonEmpty(input.insecure)) sources.insecureRegistries = [...input.insecure];
  if (Object.keys(sources).length > 0) spec.registrySources = sources;
  return { apiVersion: 'config.openshift.io/v1', kind: 'Image', metadata: { name: 'cluster' }, spec };
}

/** Refuses input the Image API would reject (see api-rules.ts); the lint's findings come back for the operator. */
export function imageConfig(input: ImageConfigInput, ctx: LintContext = {}): Generated<ImageConfig> & { findings: LintFinding[] } {
  const object = buildImageConfig(input);
  refuseViolations(imageConfigViolations(object), 'The image.config CR');
  return { text: toYaml(object), object, findings: lintImageConfig(object, ctx) };
}

interface Essential {
  /** The registry an allowed list must cover whole. */
  scope: string;
  /** What must never be blocked: blocking a scope that contains one of these breaks the cluster. */
  critical: string[];
  why: string;
}

/**
 * Registries the cluster pulls from, with why each matters (seed 002). Blocking is refused only for
 * scopes that contain what the payload needs (the MCO itself refuses only the payload's registry):
 * one repository under quay.io may be blocked, quay.io or openshift-release-dev may not.
 */
function essentialRegistries(ctx: LintContext): Essential[] {
  const release = { registry: 'quay.io', repository: RELEASE_REPOSITORY };
  const list: Essential[] = [
    {
      scope: 'quay.io',
      critical: [RELEASE_SOURCE, COMPONENT_SOURCE],
      why: 'the release payload images are pulled from quay.io; without it pods fail to start',
    },
    { scope: 'registry.redhat.io', critical: ['registry.redhat.io'], why: 'operator and payload images are pulled from registry.redhat.io; without it pods fail to start' },
    {
      scope: INTERNAL_REGISTRY,
      critical: [INTERNAL_REGISTRY],
      why: 'the internal registry (internalRegistryHostname) serves image streams and builds; without it pods fail to start',
    },
  ];
  if (ctx.mirror) {
    const target = parseMirrorTarget(ctx.mirror);
    list.push({
      scope: ctx.mirror,
      critical: (['release', 'component'] as const).map((role) => repositoryName(mirrorRepositoryFor(release, role, target))),
      why: 'a disconnected cluster pulls every image from its mirror registry',
    });
  }
  return list;
}

const PUBLIC_REGISTRIES = new Set(['docker.io', 'quay.io', 'registry.redhat.io', 'registry.access.redhat.com', 'ghcr.io', 'gcr.io']);

function stringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Checks an Image CR (ours, or one an operator wrote and parsed from YAML). */
export function lintImageConfig(cr: unknown, ctx: LintContext = {}): LintFinding[] {
  const findings: LintFinding[] = [];
  const error = (path: string, message: string) => findings.push({ level: 'error', path, message });
  const warning = (path: string, message: string) => findings.push({ level: 'warning', path, message });

  if (typeof cr !== 'object' || cr === null || Array.isArray(cr)) {
    error('', 'The document is not a Kubernetes object (expected a mapping with apiVersion, kind, metadata, spec).');
    return findings;
  }
  const obj = cr as Record<string, unknown>;
  if (obj.apiVersion !== 'config.openshift.io/v1') error('apiVersion', `apiVersion is ${JSON.stringify(obj.apiVersion)}; the Image config API is config.openshift.io/v1.`);
  if (obj.kind !== 'Image') error('kind', `kind is ${JSON.stringify(obj.kind)}; the cluster image configuration has kind Image.`);
  const name = (obj.metadata as Record<string, unknown> | undefined)?.name;
  if (name !== 'cluster') error('metadata.name', `metadata.name is ${JSON.stringify(name)}; the only name the cluster reads is "cluster".`);
  const spec = obj.spec;
  if (typeof spec !== 'object' || spec === null) {
    if (spec !== undefined) error('spec', 'spec must be a mapping.');
    return findings;
  }
  const s = spec as Record<string, unknown>;
  if ('registrySource' in s) error('spec.registrySource', 'Unknown field registrySource: the field is spelled registrySources; the cluster ignores this one.');
  const rs = s.registrySources;
  if (rs === undefined) return findings;
  if (typeof rs !== 'object' || rs === null || Array.isArray(rs)) {
    error('spec.registrySources', 'registrySources must be a mapping.');
    return findings;
  }
  const src = rs as Record<string, unknown>;
  const lists: Record<string, string[]> = {};
  for (const key of ['allowedRegistries', 'blockedRegistries', 'insecureRegistries', 'containerRuntimeSearchRegistries']) {
    const value = src[key];
    if (value === undefined || value === null) continue;
    const path = `spec.registrySources.${key}`;
    if (!stringList(value)) {
      error(path, `${key} must be a list of registry names.`);
      continue;
    }
    lists[key] = value;
  }
  // The API's own rules (patterns, lengths, set lists, the allowed/blocked CEL rule), where the checks above found nothing.
  const reported = new Set(findings.map((f) => f.path));
  for (const v of imageConfigViolations({ spec: s })) if (!reported.has(v.path)) error(v.path, `${v.problem} (${v.rule})`);
  const allowed = lists.allowedRegistries ?? [];
  const blocked = lists.blockedRegistries ?? [];
  const essentials = essentialRegistries(ctx);
  if (allowed.length > 0) {
    for (const { scope, why } of essentials) {
      if (!allowed.some((a) => scopeIsNestedInsideScope(scope, a))) {
        warning('spec.registrySources.allowedRegistries', `${scope} is not in allowedRegistries, so it will be blocked: ${why}.`);
      }
    }
    for (const insecure of lists.insecureRegistries ?? []) {
      if (!allowed.some((a) => scopeIsNestedInsideScope(insecure, a))) {
        warning('spec.registrySources.insecureRegistries', `${insecure} is insecure but not in allowedRegistries, so pulls from it are still blocked; add it to allowedRegistries too.`);
      }
    }
  }
  blocked.forEach((b, i) => {
    for (const { scope, critical, why } of essentials) {
      if (critical.some((c) => scopeIsNestedInsideScope(c, b))) error(`spec.registrySources.blockedRegistries[${i}]`, `Blocking ${b} blocks ${scope}: ${why}. Remove it from blockedRegistries.`);
    }
  });
  (lists.containerRuntimeSearchRegistries ?? []).forEach((r, i) => {
    if (PUBLIC_REGISTRIES.has(r)) {
      warning(
        `spec.registrySources.containerRuntimeSearchRegistries[${i}]`,
        `${r} is a public registry: short-name pulls send the global pull secret's credentials to every registry in this list. Prefer fully qualified image names.`,
      );
    }
  });
  return findings;
}

export function hasErrors(findings: readonly LintFinding[]): boolean {
  return findings.some((f) => f.level === 'error');
}
