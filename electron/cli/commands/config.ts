import { Option, type Command } from 'commander';
import { parseDocument } from 'yaml';
import { FerryError } from '../../../shared/errors';
import { parseMirrorTarget } from '../../../shared/mirror-mapping';
import { buildImageConfig, hasErrors, imageConfig, lintImageConfig, type LintFinding } from '../../../shared/config/image-config';
import { installConfigSnippet, type SourcesField } from '../../../shared/config/install-config';
import { imageContentSourcePolicy, imageDigestMirrorSet, imageTagMirrorSet, type MirrorSourcePolicy } from '../../../shared/config/mirror-sets';
import { policyJson } from '../../../shared/config/policy-json';
import { registriesConf } from '../../../shared/config/registries-conf';
import type { RegistrySources } from '../../../shared/config/image-config';
import type { Generated } from '../../../shared/config/yaml';
import { readCaBundle } from '../../engine/config/ca-bundle';
import { readInputFile } from '../../engine/config/input-file';
import { mirrorScope, resolveMirrorInput, type MirrorInput } from '../../engine/config/mirror-input';
import { writeFileAtomic } from '../../engine/trust/secret-file';
import { addCommonOptions } from '../program';
import { printJson } from '../output';
import { registerConfigTrustCommands } from './ca';

/**
 * `ferry config …`: the cluster configuration for a mirror, generated from the transfer (or explicit
 * references) and checked before anything is written. A lint error is bad input: exit 2, no file.
 */
interface ConfigOptions {
  fromDir?: string;
  mirror?: string;
  release?: string;
  image: string[];
  caFile: string[];
  name?: string;
  out?: string;
  json: boolean;
  allowed: string[];
  blocked: string[];
  insecure: string[];
  search: string[];
  neverContactSource?: boolean;
  sourcesField: SourcesField;
  pullSecret?: string;
  trustedCa?: string;
}

type ListKey = 'image' | 'allowed' | 'blocked' | 'insecure' | 'search';
/** What commander hands over: list options exist only on the subcommands that offer them. */
type RawOptions = Omit<ConfigOptions, ListKey> & Partial<Pick<ConfigOptions, ListKey>>;

function withLists(opts: RawOptions): ConfigOptions {
  return { ...opts, image: opts.image ?? [], allowed: opts.allowed ?? [], blocked: opts.blocked ?? [], insecure: opts.insecure ?? [], search: opts.search ?? [] };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function requireMirror(opts: ConfigOptions): string {
  if (opts.mirror === undefined) {
    throw new FerryError('USAGE', 'This command needs --mirror HOST:PORT/NAMESPACE (the registry the disconnected cluster pulls from).', {
      hint: 'e.g. --mirror mirror.example.com:5000/ocp4',
    });
  }
  return opts.mirror;
}

function mirrorInput(opts: ConfigOptions): MirrorInput {
  const input: MirrorInput = { mirror: requireMirror(opts), images: opts.image };
  if (opts.fromDir !== undefined) input.fromDir = opts.fromDir;
  if (opts.release !== undefined) input.release = opts.release;
  return input;
}

function registrySources(opts: ConfigOptions): RegistrySources {
  const sources: RegistrySources = {};
  if (opts.allowed.length) sources.allowedRegistries = opts.allowed;
  if (opts.blocked.length) sources.blockedRegistries = opts.blocked;
  if (opts.insecure.length) sources.insecureRegistries = opts.insecure;
  if (opts.search.length) sources.containerRuntimeSearchRegistries = opts.search;
  return sources;
}

function formatFinding(f: LintFinding): string {
  return `${f.level}: ${f.path ? `${f.path}: ` : ''}${f.message}`;
}

/** Prints warnings; turns errors into one INVALID_INPUT carrying every finding (so --json shows them). */
function reportFindings(findings: LintFinding[], json: boolean, subject: string): void {
  if (!json) for (const f of findings) process.stderr.write(`${formatFinding(f)}\n`);
  if (hasErrors(findings)) {
    const errors = findings.filter((f) => f.level === 'error');
    throw new FerryError('INVALID_INPUT', `${subject} has ${errors.length} error(s): ${errors.map((f) => f.message).join(' ')}`, {
      hint: 'Fix the listed problems; nothing was written.',
      details: { findings },
    });
  }
}

/** The registrySources lint for the node-view commands, which take the same lists as image-config. */
function lintSources(opts: ConfigOptions, subject: string): LintFinding[] {
  const sources = registrySources(opts);
  const mirror = opts.mirror !== undefined ? mirrorScope(parseMirrorTarget(opts.mirror)) : undefined;
  const findings = lintImageConfig(buildImageConfig(toImageConfigLists(sources)), mirror ? { mirror } : {});
  reportFindings(findings, opts.json, subject);
  return findings;
}

function toImageConfigLists(sources: RegistrySources): { allowed?: string[]; blocked?: string[]; insecure?: string[]; search?: string[] } {
  const lists: { allowed?: string[]; blocked?: string[]; insecure?: string[]; search?: string[] } = {};
  if (sources.allowedRegistries) lists.allowed = sources.allowedRegistries;
  if (sources.blockedRegistries) lists.blocked = sources.blockedRegistries;
  if (sources.insecureRegistries) lists.insecure = sources.insecureRegistries;
  if (sources.containerRuntimeSearchRegistries) lists.search = sources.containerRuntimeSearchRegistries;
  return lists;
}

async function emit(kind: string, generated: Generated<unknown>, opts: ConfigOptions, extra: { findings?: LintFinding[]; mode?: number } = {}): Promise<void> {
  if (opts.out !== undefined) await writeFileAtomic(opts.out, generated.text, extra.mode ?? 0o644);
  if (opts.json) {
    printJson({ kind, ...(opts.out !== undefined ? { path: opts.out } : {}), text: generated.text, object: generated.object, findings: extra.findings ?? [] });
  } else if (opts.out !== undefined) {
    process.stderr.write(`wrote ${kind} to ${opts.out}\n`);
  } else {
    process.stdout.write(generated.text);
  }
}

function mirrorSourcePolicy(opts: ConfigOptions): MirrorSourcePolicy | undefined {
  return opts.neverContactSource ? 'NeverContactSource' : undefined;
}

function nameOpts(opts: ConfigOptions): { name?: string } {
  return opts.name !== undefined ? { name: opts.name } : {};
}

type Action = (opts: ConfigOptions) => Promise<void>;
/** Option groups, so each subcommand offers (and --help shows) only what it uses. */
type OptionGroup = 'mapping' | 'name' | 'sourcePolicy' | 'registrySources' | 'imageConfig' | 'installConfig';

const actions: Record<string, { description: string; groups: OptionGroup[]; action: Action }> = {
  idms: {
    description: 'ImageDigestMirrorSet (config.openshift.io/v1) redirecting digest pulls to the mirror',
    groups: ['mapping', 'name', 'sourcePolicy'],
    action: async (opts) => {
      const { mappings } = await resolveMirrorInput(mirrorInput(opts));
      const policy = mirrorSourcePolicy(opts);
      await emit('ImageDigestMirrorSet', imageDigestMirrorSet(mappings, { ...nameOpts(opts), ...(policy ? { mirrorSourcePolicy: policy } : {}) }), opts);
    },
  },
  itms: {
    description: 'ImageTagMirrorSet (config.openshift.io/v1) redirecting tag pulls to the mirror',
    groups: ['mapping', 'name', 'sourcePolicy'],
    action: async (opts) => {
      const { mappings } = await resolveMirrorInput(mirrorInput(opts));
      const policy = mirrorSourcePolicy(opts);
      await emit('ImageTagMirrorSet', imageTagMirrorSet(mappings, { ...nameOpts(opts), ...(policy ? { mirrorSourcePolicy: policy } : {}) }), opts);
    },
  },
  icsp: {
    description: 'legacy ImageContentSourcePolicy (operator.openshift.io/v1alpha1), default name mirror-ocp',
    groups: ['mapping', 'name'],
    action: async (opts) => {
      const { mappings } = await resolveMirrorInput(mirrorInput(opts));
      await emit('ImageContentSourcePolicy', imageContentSourcePolicy(mappings, nameOpts(opts)), opts);
    },
  },
  'install-config': {
    description: 'install-config.yaml snippet: additionalTrustBundle (from --ca-file) and imageDigestSources/imageContentSources',
    groups: ['mapping', 'installConfig'],
    action: async (opts) => {
      const { mappings } = await resolveMirrorInput(mirrorInput(opts));
      const snippetOpts: Parameters<typeof installConfigSnippet>[1] = { field: opts.sourcesField };
      if (opts.caFile.length) snippetOpts.caPem = await readCaBundle(opts.caFile);
      if (opts.pullSecret !== undefined) snippetOpts.pullSecret = (await readInputFile(opts.pullSecret, 'the pull secret', '--pull-secret')).toString('utf8');
      // A snippet holding the pull secret is itself a secret.
      await emit('install-config', installConfigSnippet(mappings, snippetOpts), opts, { mode: opts.pullSecret !== undefined ? 0o600 : 0o644 });
    },
  },
  'image-config': {
    description: 'image.config.openshift.io/cluster CR (registrySources, additionalTrustedCA, allowedRegistriesForImport), linted',
    groups: ['registrySources', 'imageConfig'],
    action: async (opts) => {
      const target = parseMirrorTarget(requireMirror(opts));
      const generated = imageConfig(
        {
          ...toImageConfigLists(registrySources(opts)),
          ...(opts.trustedCa !== undefined ? { additionalTrustedCA: opts.trustedCa } : {}),
          allowedRegistriesForImport: [{ domainName: target.registry, insecure: false }],
        },
        { mirror: mirrorScope(target) },
      );
      reportFindings(generated.findings, opts.json, 'The image.config CR');
      await emit('Image', generated, opts, { findings: generated.findings });
    },
  },
  'registries-conf': {
    description: 'node view: the /etc/containers/registries.conf the MCO renders from the mirror sets and registrySources',
    groups: ['mapping', 'sourcePolicy', 'registrySources'],
    action: async (opts) => {
      const findings = lintSources(opts, 'The registry lists');
      const { mappings } = await resolveMirrorInput(mirrorInput(opts));
      const policy = mirrorSourcePolicy(opts);
      const digestMirrors = mappings.map((m) => ({ ...m, ...(policy ? { mirrorSourcePolicy: policy } : {}) }));
      await emit('registries.conf', registriesConf({ digestMirrors, registrySources: registrySources(opts) }), opts, { findings });
    },
  },
  'policy-json': {
    description: 'node view: the /etc/containers/policy.json the MCO renders from allowed/blocked registries',
    groups: ['registrySources'],
    action: async (opts) => {
      const findings = lintSources(opts, 'The registry lists');
      await emit('policy.json', policyJson(registrySources(opts)), opts, { findings });
    },
  },
};

function describeYamlError(path: string, e: { message: string; linePos?: Array<{ line: number; col: number }> }): FerryError {
  const pos = e.linePos?.[0];
  const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
  return new FerryError('INVALID_INPUT', `${path} is not valid YAML${where}: ${e.message.split('\n')[0]}`, {
    hint: 'Fix the YAML syntax (e.g. export it with `oc get image.config.openshift.io/cluster -o yaml`).',
    details: pos ? { file: path, line: pos.line, column: pos.col } : { file: path },
  });
}

async function lintFile(file: string, opts: { mirror?: string; json: boolean }): Promise<void> {
  const text = (await readInputFile(file, 'the image.config CR', 'FILE')).toString('utf8');
  const doc = parseDocument(text, { prettyErrors: true });
  const first = doc.errors[0];
  if (first) throw describeYamlError(file, first);
  const mirror = opts.mirror !== undefined ? mirrorScope(parseMirrorTarget(opts.mirror)) : undefined;
  const findings = lintImageConfig(doc.toJS(), mirror ? { mirror } : {});
  reportFindings(findings, opts.json, file);
  if (opts.json) printJson({ file, findings });
  else if (findings.length === 0) process.stderr.write(`${file}: no problems found\n`);
}

function addGroup(cmd: Command, group: OptionGroup): void {
  switch (group) {
    case 'mapping':
      cmd
        .option('--from-dir <dir>', 'transfer directory (reads its transfer.json)')
        .option('--release <pullspec>', 'configure the release and component repositories (standalone, or in addition to --from-dir)')
        .option('--image <ref>', 'an extra image to configure; repeatable', collect, []);
      return;
    case 'name':
      cmd.option('--name <name>', 'metadata.name of the generated object (default mirror-ocp)');
      return;
    case 'sourcePolicy':
      cmd.option('--never-contact-source', 'mirrorSourcePolicy NeverContactSource: never fall back to the source registry');
      return;
    case 'registrySources':
      cmd
        .option('--allowed <registry>', 'registrySources.allowedRegistries entry; repeatable', collect, [])
        .option('--blocked <registry>', 'registrySources.blockedRegistries entry; repeatable', collect, [])
        .option('--insecure <registry>', 'registrySources.insecureRegistries entry; repeatable', collect, [])
        .option('--search <registry>', 'registrySources.containerRuntimeSearchRegistries entry; repeatable', collect, []);
      return;
    case 'imageConfig':
      cmd.option('--trusted-ca <configmap>', 'additionalTrustedCA: the CA ConfigMap name in openshift-config');
      return;
    case 'installConfig':
      cmd
        .option('--pull-secret <file>', 'embed this pull secret (the output is then written with mode 0600)')
        .addOption(
          new Option('--sources-field <field>', 'imageDigestSources (current installers) or imageContentSources (older)')
            .choices(['imageDigestSources', 'imageContentSources'])
            .default('imageDigestSources'),
        );
      return;
  }
}

export function register(program: Command): void {
  const configCmd = program.command('config').description('cluster configuration for a mirror registry (OpenShift objects and the node view)');
  for (const [name, { description, groups, action }] of Object.entries(actions)) {
    const cmd = configCmd
      .command(name)
      .description(description)
      .option('--mirror <host:port/namespace>', 'the mirror registry and namespace the cluster pulls from')
      .option('--out <file>', 'write to FILE (atomically) instead of stdout');
    for (const group of groups) addGroup(cmd, group);
    addCommonOptions(cmd).action(async (opts: RawOptions) => action(withLists(opts)));
  }
  addCommonOptions(
    configCmd
      .command('lint-image-config')
      .description('check an image.config.openshift.io/cluster CR (YAML) against the rules of the docs')
      .argument('<file>', 'the CR as YAML, e.g. from oc get image.config.openshift.io/cluster -o yaml')
      .option('--mirror <host:port/namespace>', 'also check that the mirror stays allowed'),
  ).action(async (file: string, opts: { mirror?: string; json: boolean }) => lintFile(file, opts));
  registerConfigTrustCommands(configCmd);
}
