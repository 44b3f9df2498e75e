import { Option, type Command } from 'commander';
import { parseDocument } from 'yaml';
import { FerryError } from '../../../shared/errors';
import { mirrorScope, parseMirrorTarget } from '../../../shared/mirror-mapping';
import { lintImageConfig, type LintFinding, type RegistrySources } from '../../../shared/config/image-config';
import type { SourcesField } from '../../../shared/config/install-config';
import { CONFIG_KINDS, generateConfig, refuseErrorFindings, type ConfigInput, type ConfigKind, type ConfigKindId, type ConfigOption } from '../../../shared/config/kinds';
import { readCaBundle } from '../../engine/config/ca-bundle';
import { mirroredCatalogsFromDir } from '../../engine/config/catalog-input';
import { mirroredGraphFromDir } from '../../engine/config/graph-input';
import { readInputFile } from '../../engine/config/input-file';
import { resolveMirrorInput, type MirrorInput } from '../../engine/config/mirror-input';
import { writeFileAtomic } from '../../engine/trust/secret-file';
import { addCommonOptions } from '../program';
import { printJson } from '../output';
import { registerConfigTrustCommands } from './ca';

/**
 * `ferry config …`: the cluster configuration for a mirror, generated from the transfer (or explicit
 * references) and checked before anything is written. A lint error is bad input: exit 2, no file.
 * The kinds, their flags and their generators come from the table in shared/config/kinds.ts.
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
  sourcesField?: SourcesField;
  pullSecret?: string;
  trustedCa?: string;
  appsDomain?: string;
}

type ListKey = 'image' | 'allowed' | 'blocked' | 'insecure' | 'search';
/** What commander hands over: list options exist only on the subcommands that offer them. */
type RawOptions = Omit<ConfigOptions, ListKey> & Partial<Pick<ConfigOptions, ListKey>>;

/** `ferry config ca-configmap` and `signature-configmap` take their own flags (see ./ca.ts). */
const OWN_COMMANDS: ReadonlySet<ConfigKindId> = new Set(['ca-configmap', 'signature-configmap']);

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

function formatFinding(f: { level: string; path?: string; message: string }): string {
  return `${f.level}: ${f.path ? `${f.path}: ` : ''}${f.message}`;
}

function printFindings(findings: readonly LintFinding[], json: boolean): void {
  if (!json) for (const f of findings) process.stderr.write(`${formatFinding(f)}\n`);
}

function requireFromDir(opts: ConfigOptions): string {
  if (opts.fromDir === undefined) throw new FerryError('USAGE', 'This command needs --from-dir DIR (the transfer that carried what it configures).');
  return opts.fromDir;
}

/** The inputs the kind needs, from the flags (and the transfer or files they name). */
async function configInput(kind: ConfigKind, opts: ConfigOptions): Promise<ConfigInput> {
  const input: ConfigInput = {};
  if (kind.needs.includes('mappings')) Object.assign(input, await resolveMirrorInput(mirrorInput(opts)));
  else if (kind.needs.includes('mirror')) input.target = parseMirrorTarget(requireMirror(opts));
  else if (opts.mirror !== undefined) input.target = parseMirrorTarget(opts.mirror);
  if (kind.needs.includes('catalogs')) input.catalogs = await mirroredCatalogsFromDir(requireFromDir(opts), input.target!);
  if (kind.needs.includes('graph')) input.graph = await mirroredGraphFromDir(requireFromDir(opts), input.target!);
  const offers = (option: ConfigOption) => kind.options.includes(option);
  if (offers('name') && opts.name !== undefined) input.name = opts.name;
  if (offers('sourcePolicy') && opts.neverContactSource) input.mirrorSourcePolicy = 'NeverContactSource';
  if (offers('registrySources')) input.registrySources = registrySources(opts);
  if (offers('trustedCa') && opts.trustedCa !== undefined) input.additionalTrustedCA = opts.trustedCa;
  if (offers('appsDomain') && opts.appsDomain !== undefined) input.appsDomain = opts.appsDomain;
  if (offers('installConfig')) {
    if (opts.sourcesField !== undefined) input.sourcesField = opts.sourcesField;
    if (opts.caFile.length) input.caPem = await readCaBundle(opts.caFile);
    if (opts.pullSecret !== undefined) input.pullSecret = (await readInputFile(opts.pullSecret, 'the pull secret', '--pull-secret')).toString('utf8');
  }
  return input;
}

async function generateKind(kind: ConfigKind, opts: ConfigOptions): Promise<void> {
  const generated = generateConfig(kind, await configInput(kind, opts), (findings) => printFindings(findings, opts.json));
  if (opts.out !== undefined) await writeFileAtomic(opts.out, generated.text, generated.secret ? 0o600 : 0o644);
  if (opts.json) {
    printJson({ kind: kind.label, ...(opts.out !== undefined ? { path: opts.out } : {}), text: generated.text, object: generated.object, findings: generated.findings });
  } else if (opts.out !== undefined) {
    process.stderr.write(`wrote ${kind.label} to ${opts.out}\n`);
  } else {
    process.stdout.write(generated.text);
  }
}

/** Option groups, so each subcommand offers (and --help shows) only what it uses. */
type OptionGroup = 'mapping' | 'catalogs' | 'graph' | ConfigOption;

function optionGroups(kind: ConfigKind): OptionGroup[] {
  return [
    ...(kind.needs.includes('mappings') ? ['mapping' as const] : []),
    ...(kind.needs.includes('catalogs') ? ['catalogs' as const] : []),
    ...(kind.needs.includes('graph') ? ['graph' as const] : []),
    ...kind.options,
  ];
}

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
  printFindings(findings, opts.json);
  refuseErrorFindings(findings, file);
  if (opts.json) printJson({ file, findings });
  else if (findings.length === 0) process.stderr.write(`${file}: no problems found\n`);
}

function addGroup(cmd: Command, group: OptionGroup, kind: ConfigKind): void {
  switch (group) {
    case 'mapping':
      cmd
        .option('--from-dir <dir>', 'transfer directory (reads its transfer.json)')
        .option('--release <pullspec>', 'configure the release and component repositories (standalone, or in addition to --from-dir)')
        .option('--image <ref>', 'an extra image to configure; repeatable', collect, []);
      return;
    case 'catalogs':
      cmd.option('--from-dir <dir>', 'transfer directory (reads the operator catalogs its transfer.json records)');
      return;
    case 'graph':
      cmd.option('--from-dir <dir>', 'transfer directory (reads the update graph image its transfer.json records)');
      return;
    case 'appsDomain':
      cmd.option('--apps-domain <domain>', "the cluster's ingress domain (oc get ingresses.config/cluster -o jsonpath='{.spec.domain}'): write the update service's URL out");
      return;
    case 'name':
      // The catalog mirror sets default to oc-mirror's names, which their descriptions give.
      if (kind.needs.includes('graph')) cmd.option('--name <name>', "the UpdateService's metadata.name (default update-service-oc-mirror)");
      else cmd.option('--name <name>', `metadata.name of the generated object${kind.needs.includes('catalogs') ? '' : ' (default mirror-ocp)'}`);
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
    case 'trustedCa':
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
  for (const kind of CONFIG_KINDS.values()) {
    if (OWN_COMMANDS.has(kind.id)) continue;
    const cmd = configCmd.command(kind.id).description(kind.description);
    cmd.option('--mirror <host:port/namespace>', 'the mirror registry and namespace the cluster pulls from');
    cmd.option('--out <file>', 'write to FILE (atomically) instead of stdout');
    for (const group of optionGroups(kind)) addGroup(cmd, group, kind);
    addCommonOptions(cmd).action(async (opts: RawOptions) => generateKind(kind, withLists(opts)));
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
