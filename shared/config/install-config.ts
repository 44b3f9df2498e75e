import type { MirrorMapping } from '../mirror-mapping';
import { installConfigViolations } from './installer-rules';
import { refuseViolations } from './rules';
import { toYaml, type Generated } from './yaml';

/**
 * The install-config.yaml fragment for a mirrored install (seed 001): the mirror CA as
 * `additionalTrustBundle` (a literal block, so the PEM stays byte-exact) and the mirror mapping as
 * `imageDigestSources` (current installers) or `imageContentSources` (older ones). The installer
 * refuses both at once, so one is chosen.
 */
export type SourcesField = 'imageDigestSources' | 'imageContentSources';

export interface InstallConfigSnippet {
  additionalTrustBundle?: string;
  imageDigestSources?: Array<{ mirrors: string[]; source: string }>;
  imageContentSources?: Array<{ mirrors: string[]; source: string }>;
  pullSecret?: string;
}

export interface InstallConfigOptions {
  field?: SourcesField;
  /** PEM text of the CA(s) the mirror's certificate chains to. */
  caPem?: string;
  /** The pull secret JSON, only when the operator handed it over explicitly. */
  pullSecret?: string;
}

const PULL_SECRET_GUIDANCE = [
  '# pullSecret: set it to your pull secret JSON with the mirror credentials added, e.g.',
  "#   ferry pull-secret add pull-secret.json --registry MIRROR_HOST:PORT --username USER --password-stdin",
  "#   pullSecret: '<contents of pull-secret.json on one line>'",
].join('\n');

/** One trailing newline, so YAML renders `|` (clip) and the bundle ends exactly like a PEM file. */
function normalisePem(pem: string): string {
  return `${pem.replace(/\r\n/g, '\n').trim()}\n`;
}

export function installConfigSnippet(mappings: readonly MirrorMapping[], opts: InstallConfigOptions = {}): Generated<InstallConfigSnippet> {
  const object: InstallConfigSnippet = {};
  if (opts.caPem !== undefined) object.additionalTrustBundle = normalisePem(opts.caPem);
  object[opts.field ?? 'imageDigestSources'] = mappings.map((m) => ({ mirrors: [...m.mirrors], source: m.source }));
  if (opts.pullSecret !== undefined) object.pullSecret = opts.pullSecret.trim();
  refuseViolations(installConfigViolations(object), 'The install-config mirror sources');
  const yaml = toYaml(object);
  return { text: opts.pullSecret === undefined ? `${yaml}${PULL_SECRET_GUIDANCE}\n` : yaml, object };
}
